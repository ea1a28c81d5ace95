"""Writing out pending staff responses in batches, and resealing every response of a cycle.

A staff response is first kept encrypted (``PendingResponse``). Once the cycle's minimum of
them is pending, or when the cycle closes, they are written out as responses together with
every earlier response of the cycle, all under new random keys and in a random order, in one
transaction. So the rows, their physical order and their PostgreSQL system columns (``xmin``,
``ctid``) say nothing about who answered when; a new batch never stands apart from earlier ones.
"""

import random
import uuid

from assessment import scoring, sealing
from assessment.models import Answer, Cycle, Item, PendingResponse, Response
from assessment.selectors import questionnaire_instrument


def pending_add(*, cycle: Cycle, answers: dict[str, int | str], role_group: str) -> None:
    """Keep a submitted staff response encrypted until its batch is written out.

    Call inside the transaction that holds the cycle's row lock.
    """
    PendingResponse.objects.create(cycle=cycle, sealed=sealing.seal({"answers": answers, "role_group": role_group}))
    if cycle.pending.count() >= cycle.min_responses:
        batch_write_out(cycle=cycle)


def batch_write_out(*, cycle: Cycle) -> int:
    """Write out every pending response of the cycle and reseal all its responses; return how many were pending.

    Call inside the transaction that holds the cycle's row lock.
    """
    pending = list(cycle.pending.all())
    if not pending:
        return 0
    instrument = questionnaire_instrument(cycle.questionnaire)
    items = {item.key: item.pk for item in Item.objects.filter(questionnaire_id=cycle.questionnaire_id)}
    submitted = cycle.responses.filter(status=Response.Status.SUBMITTED).prefetch_related("answers")
    rows = [_stored_row(response) for response in submitted]
    for sealed in pending:
        payload = sealing.unseal(sealed.sealed)
        score = scoring.score_response(instrument, payload["answers"])
        rows.append(
            {
                "answers": {items[key]: value for key, value in payload["answers"].items()},
                "role_group": payload["role_group"],
                "scores": {**score.dimensions, scoring.OVERALL: score.overall},
            }
        )
    PendingResponse.objects.filter(pk__in=[p.pk for p in pending]).delete()
    _reseal(cycle, rows)
    return len(pending)


def _stored_row(response: Response) -> dict:
    return {
        "answers": {a.item_id: a.special or a.value for a in response.answers.all()},
        "role_group": response.role_group,
        "scores": response.scores,
        "id": response.pk,
    }


def _reseal(cycle: Cycle, rows: list[dict]) -> None:
    rnd = random.SystemRandom()
    rnd.shuffle(rows)
    Response.objects.filter(pk__in=[row["id"] for row in rows if "id" in row]).delete()
    responses, answers = [], []
    for row in rows:
        response = Response(
            id=uuid.uuid4(),
            cycle=cycle,
            status=Response.Status.SUBMITTED,
            role_group=row["role_group"],
            scores=row["scores"],
        )
        responses.append(response)
        values = list(row["answers"].items())
        rnd.shuffle(values)
        answers.extend(
            Answer(
                id=uuid.uuid4(),
                response=response,
                item_id=item_id,
                value=None if isinstance(value, str) else value,
                special=value if isinstance(value, str) else "",
            )
            for item_id, value in values
        )
    Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(answers)
