"""Staff answers, sealed until their survey closes, then written out once.

A submitted staff response is kept sealed (``PendingResponse``): no time, one length per
questionnaire, its role group inside the seal. When the survey closes with at least its
minimum of submissions, all of them are opened, scored and aggregated in memory, and written
out as responses in one transaction, under new random keys and in a random order, with no role
group; below the minimum none is written and every seal is destroyed. So two backups taken
around the close differ by the whole survey or by nothing, and the rows, their physical order
and their PostgreSQL system columns (``xmin``, ``ctid``) say nothing about who answered when.
"""

import json
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from assessment.models import Answer, Cycle, Item, PendingResponse, Response
from config import sealing

UNANSWERED = "-"
CODES = {"dk": "d", "na": "n"}
VALUES = {code: value for value, code in CODES.items()}
PAYLOAD_ROOM = 64  # beyond one character per item: the role group, the channel and the JSON around them


@dataclass(frozen=True)
class Submission:
    """One opened submission: answers by item key ("0"–"4", "dk" or "na"), its role group and how
    it came ("member", "invited", "shared", or "" when sealed before that was kept)."""

    answers: dict[str, str]
    role_group: str
    channel: str = ""


def answer_keys(cycle: Cycle) -> list[str]:
    """Return the cycle's item keys in the fixed order answers are packed in."""
    return sorted(Item.objects.filter(questionnaire_id=cycle.questionnaire_id).values_list("key", flat=True))


def pack_answers(keys: Sequence[str], answers: dict[str, str]) -> str:
    """Return the answers as one character per key, so every set of answers has one length.

    >>> pack_answers(["a", "b", "c", "d"], {"a": "3", "b": "dk", "d": "na"})
    '3d-n'
    """
    return "".join(CODES.get(answers.get(key, ""), answers.get(key) or UNANSWERED) for key in keys)


def unpack_answers(keys: Sequence[str], packed: str) -> dict[str, str]:
    """Return the answers of a packed string, unanswered items left out.

    >>> unpack_answers(["a", "b", "c", "d"], "3d-n")
    {'a': '3', 'b': 'dk', 'd': 'na'}
    """
    if len(packed) != len(keys):
        raise sealing.Unreadable
    return {key: VALUES.get(code, code) for key, code in zip(keys, packed, strict=True) if code != UNANSWERED}


def _purpose(cycle: Cycle) -> str:
    return f"pending:{cycle.pk}"


def pending_add(*, cycle: Cycle, answers: dict[str, str], role_group: str, channel: str = "") -> None:
    """Keep a submitted staff response sealed until the survey closes."""
    keys = answer_keys(cycle)
    payload = {"a": pack_answers(keys, answers), "g": role_group, "c": channel}
    plaintext = json.dumps(payload, separators=(",", ":")).encode()
    PendingResponse.objects.create(
        cycle=cycle, sealed=sealing.seal(plaintext, purpose=_purpose(cycle), size=len(keys) + PAYLOAD_ROOM)
    )


def pending_open(*, cycle: Cycle) -> list[Submission]:
    """Return every sealed submission of the cycle, opened, in a random order."""
    keys = answer_keys(cycle)
    submissions = []
    for sealed in cycle.pending.values_list("sealed", flat=True):
        payload = json.loads(sealing.unseal(sealed, purpose=_purpose(cycle)))
        submissions.append(Submission(unpack_answers(keys, payload["a"]), str(payload["g"]), str(payload.get("c", ""))))
    random.SystemRandom().shuffle(submissions)
    return submissions


def pending_write_out(*, cycle: Cycle, submissions: list[Submission], scores: list[dict]) -> None:
    """Write the opened submissions out as responses, in their (shuffled) order, and destroy the seals.

    ``scores`` holds each submission's dimension and overall scores, in the same order. Call
    inside the transaction that closes the cycle, with its row locked.
    """
    items = dict(Item.objects.filter(questionnaire_id=cycle.questionnaire_id).values_list("key", "pk"))
    rnd = random.SystemRandom()
    responses: list[Response] = []
    answers: list[Answer] = []
    for submission, score in zip(submissions, scores, strict=True):
        response = Response(id=uuid.uuid4(), cycle=cycle, status=Response.Status.SUBMITTED, scores=score)
        responses.append(response)
        values = list(submission.answers.items())
        rnd.shuffle(values)
        answers.extend(
            Answer(
                id=uuid.uuid4(),
                response=response,
                item_id=items[key],
                value=None if value in CODES else int(value),
                special=value if value in CODES else "",
            )
            for key, value in values
        )
    cycle.pending.all().delete()
    Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(answers)
