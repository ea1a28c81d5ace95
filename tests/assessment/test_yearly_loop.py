"""The yearly rhythm: calendar states over a fake clock, schedule emails sent once, reminders only
to those who have not started (at most twice), response rates, opening next year's audit."""

import threading
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import config
from accounts.models import AuditEvent
from assessment.models import Cycle, MemberReminder, RespondentLink, ScheduleNotice
from assessment.selectors import stepped_count
from assessment.services.cycles import cycle_close
from assessment.services.links import REMINDER_TOO_SOON_MESSAGE, link_redeem, reminders_send
from assessment.services.responding import member_response_start
from assessment.services.schedules import cycle_open_next, schedule_notices_send, schedule_set, schedule_states
from tests.conftest import invitation_tokens, invite, login


def _states(organization, today):
    return {s.schedule.mode: s.state for s in schedule_states(organization, today=today)}


def test_calendar_states_over_a_year(lead, organization, questionnaire):
    schedule_set(organization=organization, by=lead.user, mode="staff", month=4, weeks=4)
    assert _states(organization, date(2027, 1, 15)) == {"staff": "upcoming"}
    assert _states(organization, date(2027, 3, 10)) == {"staff": "due"}  # within 30 days
    assert _states(organization, date(2027, 5, 15)) == {"staff": "overdue"}  # past April and four weeks
    cycle = cycle_open_next(organization=organization, by=lead.user, mode="staff", today=date(2027, 5, 15))
    assert _states(organization, date(2027, 5, 16)) == {"staff": "open"}
    assert (cycle.label, cycle.closes_on) == ("2027 staff survey", date(2027, 6, 12))


def test_opening_next_year_copies_last_years_settings(lead, organization, cycle_factory):
    cycle_close(cycle=cycle_factory(min_responses=7), by=lead.user)  # one staff survey open at a time
    cycle = cycle_open_next(organization=organization, by=lead.user, mode="staff", today=date(2027, 4, 1))
    assert cycle.min_responses == 7 and cycle.is_open and cycle.mode == "staff"


def test_schedule_emails_go_once_at_30_7_and_overdue(lead, admin, organization):
    schedule_set(organization=organization, by=lead.user, mode="staff", month=4, weeks=2)
    for today, kind in [
        (date(2027, 3, 5), "due_30"),
        (date(2027, 3, 28), "due_7"),
        (date(2027, 4, 20), "overdue"),
    ]:
        before = len(mail.outbox)
        assert schedule_notices_send(today=today, site_url="https://ally.example") == 1
        assert schedule_notices_send(today=today, site_url="https://ally.example") == 0  # run again: nothing twice
        sent = mail.outbox[before:]
        assert {m.to[0] for m in sent} == {lead.user.email, admin.user.email}
        assert ScheduleNotice.objects.filter(kind=kind, year=2027).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_schedule_runs_at_once_send_once(lead, organization):
    schedule_set(organization=organization, by=lead.user, mode="staff", month=4, weeks=2)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(schedule_notices_send(today=date(2027, 4, 30), site_url=""))
        except Exception as error:
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and sorted(results) == [0, 1]
    assert ScheduleNotice.objects.count() == 1


def test_reminders_reach_only_those_who_have_not_started_at_most_twice(
    client, lead, staff, organization, member_factory, staff_cycle
):
    tokens = invite(staff_cycle, lead.user, ["a@example.org", "b@example.org"])
    link_redeem(token=tokens[0])  # a@ has started
    member_response_start(cycle=staff_cycle, user=staff.user)  # staff has started
    quiet = member_factory(organization)
    before = len(mail.outbox)
    with TestCaptures():
        # One unstarted invitee; the lead, the admin and the quiet member have not started. The lead
        # learns only as much as the count of answers shows: in steps of the minimum.
        assert reminders_send(cycle=staff_cycle, by=lead.user, message="Ten minutes, please.", site_url="") == (
            stepped_count(1, 3),
            stepped_count(3, 3),
        )
    sent = mail.outbox[before:]
    recipients = {m.to[0] for m in sent}
    assert "b@example.org" in recipients and quiet.user.email in recipients
    assert "a@example.org" not in recipients and staff.user.email not in recipients
    assert all(m.body.startswith("Ten minutes, please.") for m in sent)
    # The invitee's reminder carries a fresh link; the first one no longer works.
    fresh = invitation_tokens([m for m in sent if m.to == ["b@example.org"]])
    assert fresh and fresh[0] != tokens[1]
    assert Client().get(reverse("assessment:link_landing", args=[tokens[1]])).status_code == 404
    assert Client().get(reverse("assessment:link_landing", args=[fresh[0]])).status_code == 200
    # No token in what the lead can read.
    login(client, lead.user)
    for page in (staff_cycle.get_absolute_url(), reverse("accounts:org_members", args=[organization.slug])):
        assert fresh[0] not in client.get(page).content.decode()
    assert AuditEvent.objects.filter(action="reminders_sent").count() == 1
    # Not again within a day; after that once more, then nobody is left (and nobody is emailed).
    with pytest.raises(ValidationError) as error:
        reminders_send(cycle=staff_cycle, by=lead.user, message="", site_url="")
    assert error.value.messages == [str(REMINDER_TOO_SOON_MESSAGE)]
    for round_ in range(2):
        Cycle.objects.filter(pk=staff_cycle.pk).update(last_reminded_at=timezone.now() - timedelta(days=2))
        before = len(mail.outbox)
        with TestCaptures():
            reminders_send(cycle=staff_cycle, by=lead.user, message="", site_url="")
        assert len(mail.outbox) - before == (4 if round_ == 0 else 0)
    assert RespondentLink.objects.get(email="b@example.org").reminders_sent == 2
    assert set(MemberReminder.objects.values_list("count", flat=True)) == {2}


class TestCaptures:
    """Run on-commit callbacks (the emails) inside a test transaction."""

    def __enter__(self):
        from django.test import TestCase

        self.context = TestCase.captureOnCommitCallbacks(execute=True)
        return self.context.__enter__()

    def __exit__(self, *exc):
        return self.context.__exit__(*exc)


def test_response_rate_in_steps_while_open_and_invited_addresses_apart_after_close(
    client, lead, organization, staff_cycle, submit_as_member
):
    """Four members answer signed in; ten addresses were invited and none answered. While open,
    only the stepped count shows; after close, the rate counts invited addresses only."""
    invite(staff_cycle, lead.user, [f"p{n}@example.org" for n in range(10)])
    for value in ("1", "2", "3", "4"):
        submit_as_member(staff_cycle, value)
    login(client, lead.user)
    page = client.get(staff_cycle.get_absolute_url()).content.decode()
    rate = page[page.index('id="response-rate"') : page.index("</p>", page.index('id="response-rate"'))]
    assert "At least 3 answers so far; 10 addresses were invited by email." in rate
    assert "%" not in rate
    client.post(reverse("assessment:cycle_close", args=[organization.slug, staff_cycle.id]))
    page = client.get(staff_cycle.get_absolute_url()).content.decode()
    assert "4 answers: 0 of 10 invited addresses (0%), 4 signed-in members." in page


def test_healthz_answers_without_secrets(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "version": config.__version__}


def test_a_failing_send_is_tried_again_then_shown_to_the_lead(client, lead, staff_cycle, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    calls = []

    def broken(self, messages):
        calls.append(len(messages))
        raise ConnectionError("mail server down")

    monkeypatch.setattr(EmailBackend, "send_messages", broken)
    invite(staff_cycle, lead.user, ["a@example.org"])
    assert len(calls) == 3  # three attempts
    link = RespondentLink.objects.get(email="a@example.org")
    assert link.delivery == RespondentLink.Delivery.FAILED
    login(client, lead.user)
    assert 'id="failed-deliveries"' in client.get(staff_cycle.get_absolute_url()).content.decode()


@pytest.mark.django_db(transaction=True)  # the worker runs in its own transactions
def test_the_queue_holds_ids_only_and_the_worker_sends(task_queue, lead, staff_cycle):
    """On either queue, what waits is ids: no address or token is stored with the task."""
    from assessment.services.links import invitations_send

    invitations_send(cycle=staff_cycle, by=lead.user, addresses=["queued@example.org"], site_url="")
    (waiting,) = task_queue.stored()
    assert "queued@example.org" not in waiting and not mail.outbox
    task_queue.work()
    assert [m.to for m in mail.outbox] == [["queued@example.org"]]
    tokens = invitation_tokens(mail.outbox)
    assert tokens and not [text for text in task_queue.stored() if tokens[0] in text]


@pytest.mark.django_db(transaction=True)
def test_the_worker_builds_the_report_of_a_closed_survey(task_queue, settings, organization, closed_cycles):
    """Closing enqueues the report's build: the worker stores it in every language before anyone reads it."""
    from reports.models import CycleReport

    cycles = closed_cycles(organization)
    assert not CycleReport.objects.exists()
    task_queue.work()
    for cycle in cycles:
        assert set(CycleReport.objects.filter(cycle=cycle).values_list("language", flat=True)) == {
            code for code, _name in settings.LANGUAGES
        }


def test_healthz_reports_the_oldest_waiting_task_on_the_database_queue(client, settings, lead, staff_cycle):
    from datetime import timedelta as delta

    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TASKS_BACKEND = "database"
    assert client.get(reverse("healthz")).json()["oldest_waiting_task_seconds"] is None
    from assessment.tasks import deliver_links

    deliver_links.enqueue(cycle_id=str(staff_cycle.pk), kind="reminder", message="", site_url="")
    DBTaskResult.objects.update(enqueued_at=timezone.now() - delta(minutes=3))
    assert client.get(reverse("healthz")).json()["oldest_waiting_task_seconds"] >= 180


def test_run_schedule_twice_in_a_row_sends_once(lead, organization, monkeypatch):
    from django.core.management import call_command

    from home.management.commands import run_schedule

    monkeypatch.setattr(run_schedule.timezone, "localdate", lambda: date(2027, 4, 20))
    schedule_set(organization=organization, by=lead.user, mode="staff", month=4, weeks=2)
    call_command("run_schedule")
    first = len(mail.outbox)
    assert first >= 1 and "overdue" in mail.outbox[0].subject
    call_command("run_schedule")
    assert len(mail.outbox) == first
