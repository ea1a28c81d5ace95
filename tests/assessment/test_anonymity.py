"""Staff answers cannot be tied to a person, a link or a time, even by someone with every table.

Each test plays an adversary of docs/PRIVACY.md: a database holder (every table, system columns
and physical row order, at any moment), or a lead who can invite, answer, watch counts and close.
"""

import pytest
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.db import connection, models
from django.urls import reverse

from accounts.models import AuditEvent
from assessment import drafts
from assessment.models import (
    Answer,
    Cycle,
    Participation,
    PendingResponse,
    RespondentLink,
    Response,
    SpentCredential,
)
from assessment.selectors import questionnaire_pages
from assessment.services.cycles import cycle_close
from assessment.services.links import invitations_send, link_redeem
from assessment.services.responding import (
    ALREADY_ANSWERED_MESSAGE,
    member_response_start,
    staff_draft_save,
    staff_draft_submit,
)
from tests.conftest import invitation_tokens, invite, login

IDENTIFYING_FIELDS = (models.DateField, models.DateTimeField, models.TimeField, models.GenericIPAddressField)


def _models_under_response():
    """Response and every model that points at it."""
    found = [Response]
    for model in apps.get_models():
        if any(f.is_relation and f.related_model is Response for f in model._meta.get_fields() if f.concrete):
            found.append(model)
    return found


def test_no_column_under_response_can_identify_a_person_link_or_time():
    for model in [*_models_under_response(), PendingResponse, SpentCredential]:
        for field in model._meta.concrete_fields:
            assert not isinstance(field, IDENTIFYING_FIELDS), f"{model.__name__}.{field.name} records a time or address"
            if field.is_relation:
                assert field.related_model not in (apps.get_model(settings.AUTH_USER_MODEL), RespondentLink), (
                    f"{model.__name__}.{field.name}"
                )
    assert {m.__name__ for m in _models_under_response()} == {"Response", "Answer"}


def _distinct_answers(questionnaire, number):
    answers = {}
    for index, item in enumerate(i for page in questionnaire_pages(questionnaire) for i in page.items):
        answers[item.key] = str((number * 7 + index * (number % 3 + 1)) % (item.max_value + 1))
    return answers


def _physical(table: str, columns: str) -> list[tuple]:
    """Return rows as a database holder sees them: physical order (SQLite rowid, PostgreSQL ctid,
    which is also the order of a plain pg_dump), with PostgreSQL's xmin."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"SELECT rowid, 0, {columns} FROM {table} ORDER BY rowid")
        else:
            cursor.execute(f"SELECT ctid, xmin::text::bigint, {columns} FROM {table} ORDER BY ctid")
        return cursor.fetchall()


def _signature(answers: dict[str, str]) -> tuple:
    return tuple(sorted(answers.items()))


def _response_signatures(cycle) -> list[tuple]:
    """Each stored response's answers, in the physical order of the response rows."""
    by_response = {}
    for answer in Answer.objects.filter(response__cycle=cycle).select_related("item"):
        by_response.setdefault(answer.response_id.hex, {})[answer.item.key] = str(answer.special or answer.value)
    rows = _physical(Response._meta.db_table, "id")
    return [_signature(by_response[str(row[2]).replace("-", "")]) for row in rows]


def _answer_in_known_order(cycle, members, questionnaire, count):
    """Members start and submit one after another; return their answers in that order."""
    given = []
    for number in range(count):
        draft = member_response_start(cycle=cycle, user=members[number].user)
        answers = _distinct_answers(questionnaire, number)
        draft = staff_draft_save(cycle=cycle, draft=draft, answers=answers)
        staff_draft_submit(cycle=cycle, draft=draft)
        given.append(_signature(answers))
    return given


@pytest.mark.django_db(transaction=True)
def test_database_holder_cannot_match_answers_to_people_by_row_order(
    organization, lead, member_factory, questionnaire, cycle_factory
):
    cycle = cycle_factory(Cycle.Mode.STAFF, min_responses=5)
    members = [member_factory(organization) for _ in range(10)]
    given = _answer_in_known_order(cycle, members, questionnaire, 7)

    # Mid-survey: nothing written out, seven submissions waiting, sealed, all of one length.
    assert not Response.objects.filter(cycle=cycle).exists()
    pending = _physical(PendingResponse._meta.db_table, "sealed")
    assert len(pending) == 7 and len({len(sealed) for _, _, sealed in pending}) == 1
    for _, _, sealed in pending:
        assert not any(item.key in sealed for item in questionnaire.items.all()), "pending answers are readable"

    given += _answer_in_known_order(cycle, members[7:], questionnaire, 3)
    cycle_close(cycle=cycle, by=lead.user)
    assert PendingResponse.objects.count() == 0
    stored = _response_signatures(cycle)
    assert sorted(stored) == sorted(given)
    # Written out in one transaction: ten rows, one xmin, physical order shuffled.
    assert len({row[1] for row in _physical(Response._meta.db_table, "id")}) == 1
    assert len({row[1] for row in _physical(Answer._meta.db_table, "id")}) == 1
    matches = sum(a == b for a, b in zip(stored, given, strict=True))
    assert matches <= 6, "physical order follows the order of answering"  # P(≥7 of 10 by chance) < 1e-4
    # Participation rows, in their own physical order, pair with responses no better than chance.
    assert Participation.objects.filter(cycle=cycle).count() == 10
    assert not SpentCredential.objects.filter(cycle=cycle).exists()


@pytest.mark.django_db(transaction=True)
def test_a_started_link_leaves_no_row_tying_answers_to_it(lead, staff_cycle, questionnaire):
    token = invite(staff_cycle, lead.user, ["a@example.org", "b@example.org"])[0]
    cycle, draft = link_redeem(token=token)
    # The spent link and its address are gone; nothing was written in their place.
    assert RespondentLink.objects.filter(cycle=staff_cycle).count() == 1
    assert not RespondentLink.objects.filter(email="a@example.org").exists()
    draft = staff_draft_save(cycle=cycle, draft=draft, answers=_distinct_answers(questionnaire, 1))
    # Unfinished answers are not on the server at all: no draft row exists for a staff survey.
    assert not Response.objects.filter(cycle=staff_cycle).exists()
    staff_draft_submit(cycle=cycle, draft=draft)
    assert not Response.objects.filter(cycle=staff_cycle).exists()
    assert PendingResponse.objects.filter(cycle=staff_cycle).count() == 1


def test_lead_never_sees_a_single_use_token(client, lead, staff_cycle, django_capture_on_commit_callbacks):
    login(client, lead.user)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            reverse("assessment:invitations_create", args=[staff_cycle.organization.slug, staff_cycle.id]),
            {"addresses": "a@example.org\nb@example.org"},
            follow=True,
        )
    tokens = invitation_tokens(mail.outbox)
    assert len(tokens) == 2 and [m.to for m in mail.outbox] == [["a@example.org"], ["b@example.org"]]
    pages = [page, client.get(staff_cycle.get_absolute_url())]
    pages.append(client.get(reverse("accounts:org_members", args=[staff_cycle.organization.slug])))
    for response in pages:
        text = response.content.decode()
        assert not any(token in text for token in tokens)
    event = AuditEvent.objects.get(action=AuditEvent.Action.INVITATIONS_SENT)
    assert event.data["invited"] == 2 and not any(token in str(event.data) for token in tokens)


def test_lead_cannot_invite_their_own_address_or_answer_twice(lead, staff_cycle):
    with pytest.raises(Exception) as error:
        invitations_send(cycle=staff_cycle, by=lead.user, addresses=[lead.user.email], site_url="")
    assert error.value.problems[0].reason.startswith("your own address")
    assert not RespondentLink.objects.exists() and not mail.outbox
    member_response_start(cycle=staff_cycle, user=lead.user)
    with pytest.raises(Exception) as error:
        member_response_start(cycle=staff_cycle, user=lead.user)
    assert error.value.messages == [str(ALREADY_ANSWERED_MESSAGE)]


def test_padding_attack_yields_nobodys_answers(
    client, lead, organization, member_factory, questionnaire, cycle_factory
):
    """The lead answers with known values, watches the count, closes as soon as the minimum is
    reached, and tries to read a real person's answers from the item means."""
    cycle = cycle_factory(Cycle.Mode.STAFF, min_responses=3)
    login(client, lead.user)
    url = cycle.get_absolute_url()

    def count_text():
        page = client.get(url).content.decode()
        start = page.index('id="response-count"')
        return page[start : page.index("</p>", start)]

    lead_answers = {key: "0" for key in _distinct_answers(questionnaire, 0)}
    draft = member_response_start(cycle=cycle, user=lead.user)
    staff_draft_submit(cycle=cycle, draft=staff_draft_save(cycle=cycle, draft=draft, answers=lead_answers))
    seen = [count_text()]
    real = []
    for number in (1, 2):
        member = member_factory(organization)
        answers = _distinct_answers(questionnaire, number)
        draft = member_response_start(cycle=cycle, user=member.user)
        staff_draft_submit(cycle=cycle, draft=staff_draft_save(cycle=cycle, draft=draft, answers=answers))
        real.append(answers)
        seen.append(count_text())
    # The count does not move from 1 to 2: the lead cannot tell when the first real person answered.
    assert seen[0] == seen[1] and "Fewer than 3" in seen[0]
    assert "3 or more" in seen[2]

    closed = cycle_close(cycle=cycle, by=lead.user)
    means = closed.results["item_means"]
    items = {item.key: item for item in questionnaire.items.all()}
    # With only their own answers known, the lead recovers the sum of two people's answers, never one.
    for person in real:
        derived = {}
        for key, mean in means.items():
            item = items[key]
            own = 1 - 0 / item.max_value if item.reverse else 0.0
            rest = 3 * mean / 100 - own
            derived[key] = rest
        assert any(abs(derived[key] - _score(items[key], person[key])) > 1e-9 for key in person), (
            "one person's answers follow from the means"
        )


def _score(item, value):
    v = int(value) / item.max_value
    return 1 - v if item.reverse else v


def test_unfinished_answers_in_the_browser_are_unreadable_and_tamper_proof(client, lead, staff_cycle):
    token = invite(staff_cycle, lead.user, ["someone@example.org"])[0]
    client.post(reverse("assessment:link_landing", args=[token]))
    answer = {"page": 1, "action": "save", "answer-police-contact-consent": "4"}
    client.post(reverse("assessment:link_continue"), answer)
    value = client.cookies[drafts.cookie_name(staff_cycle.pk)].value
    assert "police-contact-consent" not in value and len(value) < 4000
    client.cookies[drafts.cookie_name(staff_cycle.pk)] = value[:-8] + "AAAAAAAA"
    assert client.get(reverse("assessment:link_continue")).status_code == 404
