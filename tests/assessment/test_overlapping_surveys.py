"""Two staff surveys of nearly the same people cannot be compared to single one person out.

A lead who runs survey A for everyone but X and survey B for everyone and X, while the others
answer both alike, reads X's answers from the difference of the two stored results. These tests
play that lead: only one staff survey is open at a time, and the next opens a set number of days
after the last one closed (docs/PRIVACY.md).
"""

import random
import re
import threading
import time
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from assessment.models import Cycle
from assessment.services import cycles
from assessment.services.cycles import (
    STAFF_SURVEY_GAP_MESSAGE,
    STAFF_SURVEY_OPEN_MESSAGE,
    cycle_close,
    cycle_create,
    cycle_delete,
    cycle_open,
)
from assessment.services.links import invitations_send
from assessment.services.schedules import cycle_open_next, schedule_set
from tests.conftest import full_answers, login, submit_through_link

OTHERS = [f"colleague{n}@example.org" for n in range(6)]
X = "x@example.org"


def _tokens_by_address(cycle, by, addresses) -> dict[str, str]:
    """Invite addresses as a lead would; return the token each invitation carries, by address."""
    before = len(mail.outbox)
    with TestCase.captureOnCommitCallbacks(execute=True):
        invitations_send(cycle=cycle, by=by, addresses=addresses, site_url="")
    return {m.to[0]: re.search(r"/r/([A-Za-z0-9_-]{20,})/", m.body).group(1) for m in mail.outbox[before:]}


def _answers(items, rnd) -> dict[str, str]:
    return {item.key: rnd.choice([*map(str, range(item.max_value + 1)), "dk"]) for item in items}


def _difference(a: dict, b: dict, items) -> dict[str, str]:
    """Return the one extra person's answers in B, read from the per-item sums of two results."""
    found = {}
    for item in items:
        key = item.key
        if b["dk_counts"][key] - a["dk_counts"][key] == 1:
            found[key] = "dk"
            continue
        extra = ((b["item_means"][key] or 0) * b["item_n"][key] - (a["item_means"][key] or 0) * a["item_n"][key]) / 100
        value = round(extra * item.max_value)
        found[key] = str(item.max_value - value if item.reverse else value)
    return found


def _staff_survey(organization, lead, questionnaire, label, **options) -> Cycle:
    options.setdefault("opens_on", timezone.localdate())
    return cycle_create(
        organization=organization,
        by=lead.user,
        questionnaire=questionnaire,
        label=label,
        mode=Cycle.Mode.STAFF,
        min_responses=5,
        **options,
    )


def _gap_message(opens_from, days=60) -> str:
    return str(STAFF_SURVEY_GAP_MESSAGE % {"date": date_format(opens_from, "DATE_FORMAT"), "days": days})


def _answered_survey(organization, lead, questionnaire, label, given, addresses, **options) -> Cycle:
    survey = _staff_survey(organization, lead, questionnaire, label, **options)
    tokens = _tokens_by_address(survey, lead.user, addresses)
    for address in addresses:
        submit_through_link(tokens[address], given[address])
    return survey


def test_lead_cannot_run_two_overlapping_staff_surveys_to_single_out_one_person(lead, organization, questionnaire):
    """The lead invites everyone but X to survey A, and means to invite everyone and X to B while
    the others still answer as they did in A; B never opens in that time."""
    rnd = random.Random(7)
    items = list(questionnaire.items.all())
    given = {address: _answers(items, rnd) for address in [*OTHERS, X]}
    survey_a = _answered_survey(organization, lead, questionnaire, "Survey A", given, OTHERS)

    # B, for the same people and X, cannot open beside A: created open, opened from a draft, or
    # opened in one step from the calendar.
    with pytest.raises(ValidationError) as refused:
        _staff_survey(organization, lead, questionnaire, "Survey B")
    assert refused.value.messages == [str(STAFF_SURVEY_OPEN_MESSAGE)]
    assert not Cycle.objects.filter(label="Survey B").exists()
    survey_b = _staff_survey(organization, lead, questionnaire, "Survey B", open_now=False)  # a draft may wait
    with pytest.raises(ValidationError) as refused:
        cycle_open(cycle=survey_b, by=lead.user)
    assert refused.value.messages == [str(STAFF_SURVEY_OPEN_MESSAGE)]
    with pytest.raises(ValidationError) as refused:
        cycle_open_next(organization=organization, by=lead.user, mode=Cycle.Mode.STAFF, today=timezone.localdate())
    assert refused.value.messages == [str(STAFF_SURVEY_OPEN_MESSAGE)]

    # Nor once A has closed, while the others would still answer as they did.
    closed_on = cycle_close(cycle=survey_a, by=lead.user).closed_on
    for days in (0, 1, 59):
        with pytest.raises(ValidationError) as refused:
            cycle_open(cycle=survey_b, by=lead.user, today=closed_on + timedelta(days=days))
        assert refused.value.messages == [_gap_message(closed_on + timedelta(days=60))]
    survey_b.refresh_from_db()
    assert survey_b.status == Cycle.Status.DRAFT


@pytest.mark.parametrize("changed, least_found", [(0.0, 30), (0.1, 16)], ids=["answered alike", "a tenth changed"])
def test_two_yearly_surveys_of_nearly_the_same_people_can_still_be_compared(
    lead, organization, questionnaire, changed, least_found
):
    """What the gap does not stop (docs/PRIVACY.md): a year on, X joins; if the others answer as
    before, the difference gives every answer of X's, and with a tenth changed, most of them."""
    rnd = random.Random(7)
    items = list(questionnaire.items.all())
    given = {address: _answers(items, rnd) for address in [*OTHERS, X]}
    last_year = _answered_survey(organization, lead, questionnaire, "Last year", given, OTHERS)
    last_year = cycle_close(cycle=last_year, by=lead.user, on=timezone.localdate() - timedelta(days=365))
    for address in OTHERS:
        for item in items:
            if rnd.random() < changed:
                given[address][item.key] = rnd.choice([str(v) for v in range(item.max_value + 1)])
    this_year = _answered_survey(organization, lead, questionnaire, "This year", given, [*OTHERS, X])
    this_year = cycle_close(cycle=this_year, by=lead.user)

    found = _difference(last_year.results, this_year.results, items)
    assert len(items) == 30
    assert sum(found[key] == given[X][key] for key in found) >= least_found


def test_a_new_staff_survey_opens_60_days_after_the_last_one_closed(lead, organization, questionnaire, settings):
    given = dict.fromkeys(OTHERS, full_answers(questionnaire, "2"))
    closed_on = cycle_close(
        cycle=_answered_survey(organization, lead, questionnaire, "Spring", given, OTHERS), by=lead.user
    ).closed_on
    autumn = _staff_survey(organization, lead, questionnaire, "Autumn", open_now=False)
    with pytest.raises(ValidationError) as refused:
        cycle_open(cycle=autumn, by=lead.user, today=closed_on + timedelta(days=59))
    assert refused.value.messages == [_gap_message(closed_on + timedelta(days=60))]
    assert refused.value.messages[0].startswith("A new staff survey can open from ")
    assert "60 days after the last one closed" in refused.value.messages[0]

    settings.ALLY_STAFF_SURVEY_GAP_DAYS = 90
    with pytest.raises(ValidationError) as refused:
        cycle_open(cycle=autumn, by=lead.user, today=closed_on + timedelta(days=60))
    assert refused.value.messages == [_gap_message(closed_on + timedelta(days=90), days=90)]

    settings.ALLY_STAFF_SURVEY_GAP_DAYS = 60
    assert cycle_open(cycle=autumn, by=lead.user, today=closed_on + timedelta(days=60)).is_open


def test_deleting_a_closed_staff_survey_does_not_end_the_gap(admin, lead, organization, questionnaire):
    """Its results may have been read or exported before it was deleted."""
    given = dict.fromkeys(OTHERS, full_answers(questionnaire, "1"))
    closed = cycle_close(cycle=_answered_survey(organization, lead, questionnaire, "Read", given, OTHERS), by=lead.user)
    cycle_delete(cycle=closed, by=admin.user)
    with pytest.raises(ValidationError) as refused:
        _staff_survey(organization, lead, questionnaire, "Next", today=closed.closed_on + timedelta(days=59))
    assert refused.value.messages == [_gap_message(closed.closed_on + timedelta(days=60))]
    assert _staff_survey(organization, lead, questionnaire, "Next", today=closed.closed_on + timedelta(days=60))


def test_a_survey_without_results_or_a_self_audit_does_not_hold_the_next_back(
    lead, organization, questionnaire, cycle_factory
):
    """Below its minimum a survey keeps only its count, so there is nothing to compare."""
    cycle_factory(Cycle.Mode.TEAM)
    too_few = _staff_survey(organization, lead, questionnaire, "Too few")
    cycle_factory(Cycle.Mode.TEAM)  # leadership self-audits open beside a staff survey
    assert not cycle_close(cycle=too_few, by=lead.user).is_reportable
    assert _staff_survey(organization, lead, questionnaire, "Again").is_open


def test_another_organization_is_not_held_back(lead, organization, org_factory, questionnaire):
    _staff_survey(organization, lead, questionnaire, "Ours")
    other = org_factory()
    assert cycle_create(
        organization=other,
        by=lead.user,
        questionnaire=questionnaire,
        label="Theirs",
        mode=Cycle.Mode.STAFF,
        opens_on=timezone.localdate(),
    ).is_open


def test_pages_say_when_a_staff_survey_can_open_instead_of_offering_it(client, lead, organization, questionnaire):
    today = timezone.localdate()
    given = dict.fromkeys(OTHERS, full_answers(questionnaire, "3"))
    last_year = _answered_survey(
        organization, lead, questionnaire, "Last winter", given, OTHERS, opens_on=date(today.year - 1, 12, 1)
    )
    closed_on = cycle_close(cycle=last_year, by=lead.user).closed_on
    schedule_set(organization=organization, by=lead.user, mode=Cycle.Mode.STAFF, month=today.month, weeks=26)
    login(client, lead.user)
    message = _gap_message(closed_on + timedelta(days=60))

    dashboard = client.get(organization.get_absolute_url()).content.decode()
    assert "Open it now" not in dashboard
    assert f'<p class="muted" id="open-refused-staff">{message}</p>' in dashboard
    page = client.post(reverse("assessment:cycle_open_next", args=[organization.slug]), {"mode": "staff"}, follow=True)
    assert message in page.content.decode()
    assert not Cycle.objects.filter(organization=organization, status=Cycle.Status.OPEN).exists()

    draft = _staff_survey(organization, lead, questionnaire, "Waiting", open_now=False)
    detail = client.get(draft.get_absolute_url()).content.decode()
    assert f'<p id="open-refused">{message}</p>' in detail and "Open the audit" not in detail


def test_the_offer_to_open_returns_once_the_gap_is_over(client, lead, organization, questionnaire):
    today = timezone.localdate()
    given = dict.fromkeys(OTHERS, full_answers(questionnaire, "3"))
    last_year = _answered_survey(
        organization, lead, questionnaire, "Long ago", given, OTHERS, opens_on=date(today.year - 1, 1, 1)
    )
    cycle_close(cycle=last_year, by=lead.user, on=today - timedelta(days=60))
    schedule_set(organization=organization, by=lead.user, mode=Cycle.Mode.STAFF, month=today.month, weeks=26)
    dashboard = login(client, lead.user).get(organization.get_absolute_url()).content.decode()
    assert "Open it now" in dashboard and "open-refused" not in dashboard


@pytest.mark.django_db(transaction=True)
def test_two_openings_at_once_cannot_both_pass(lead, organization, questionnaire, monkeypatch):
    """The first opening waits inside its transaction, past its check; the second, started then,
    must wait for it (the organization's row is locked) and find it open."""
    first, second = (_staff_survey(organization, lead, questionnaire, label, open_now=False) for label in "AB")
    checked = threading.Event()
    original_audit = cycles.audit

    def slow_audit(**kwargs):
        if threading.current_thread().name == "first":
            checked.set()
            time.sleep(1.0)  # the second opening runs its check now, unless it must wait
        return original_audit(**kwargs)

    monkeypatch.setattr(cycles, "audit", slow_audit)
    outcomes = {}

    def open_survey(cycle):
        if threading.current_thread().name == "second":
            checked.wait(timeout=30)
        try:
            cycle_open(cycle=cycle, by=lead.user)
            outcomes[threading.current_thread().name] = "opened"
        except ValidationError as error:
            outcomes[threading.current_thread().name] = error.messages[0]
        finally:
            connection.close()

    threads = [
        threading.Thread(target=open_survey, args=(c,), name=n) for c, n in ((first, "first"), (second, "second"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes == {"first": "opened", "second": str(STAFF_SURVEY_OPEN_MESSAGE)}
    assert Cycle.objects.filter(organization=organization, status=Cycle.Status.OPEN).count() == 1
