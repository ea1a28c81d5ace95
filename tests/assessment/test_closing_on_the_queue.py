"""Closing an audit runs on the task queue; its page shows how it is going and leads to the report."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from accounts.models import AuditEvent, User
from assessment.models import Cycle, CycleClosing
from assessment.services import cycles, pending
from config import sealing
from tests.conftest import login


def _status(page: str) -> str:
    start = page.index('id="task-status"')
    return page[start : page.index("</div>", start)]


def _current_step(page: str) -> str:
    found = re.search(r'<li class="task-step-current" aria-current="step">([^<]*)', page)
    return found.group(1) if found else ""


@pytest.mark.django_db(transaction=True)  # the worker runs in its own transactions
def test_closing_waits_on_the_queue_and_its_page_follows_it_to_the_report(
    task_queue, client, lead, organization, staff_cycle, submit_as_member
):
    for value in ("4", "3", "2"):
        submit_as_member(staff_cycle, value)
    login(client, lead.user)
    close = reverse("assessment:cycle_close", args=[organization.slug, staff_cycle.id])
    status = reverse("assessment:cycle_closing", args=[organization.slug, staff_cycle.id])
    response = client.post(close)
    assert response.status_code == 302 and response["Location"] == status
    staff_cycle.refresh_from_db()
    assert staff_cycle.is_open  # nothing closed in the request: the worker has not run
    assert len(task_queue.stored()) == 1

    page = client.get(status).content.decode()
    assert 'data-final="false"' in page and _current_step(page) == "Waiting for its turn"
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page  # without script
    assert 'id="check-again"' in page and "js/task-status.js" in page
    # Every lead sees that closing is under way; nobody is offered the close button again.
    detail = client.get(staff_cycle.get_absolute_url()).content.decode()
    assert 'id="closing-under-way"' in detail and f'href="{close}"' not in detail
    assert client.get(close)["Location"] == status
    client.post(close)  # a second click queues nothing more
    assert len(task_queue.stored()) == 1

    CycleClosing.objects.filter(cycle=staff_cycle).update(started_at="2026-03-02T10:00:00Z")
    page = client.get(status).content.decode()
    assert _current_step(page).startswith("Closing: the answers are mixed and written out")
    CycleClosing.objects.filter(cycle=staff_cycle).update(started_at=None)

    task_queue.work()
    staff_cycle.refresh_from_db()
    assert staff_cycle.is_closed and staff_cycle.is_reportable and staff_cycle.results["n"] == 3
    assert not CycleClosing.objects.exists()
    closed = AuditEvent.objects.get(action=AuditEvent.Action.CYCLE_CLOSED)
    assert closed.actor == lead.user  # who asked, read from the request row, not from the task

    page = client.get(status).content.decode()
    assert 'data-final="true"' in page and "<noscript>" not in page and 'id="check-again"' not in page
    report = reverse("reports:cycle_report", args=[organization.slug, staff_cycle.id])
    assert 'id="task-done"' in _status(page) and f'href="{report}"' in _status(page)
    assert _current_step(page) == "Closed"

    # The queue holds the survey's id and a short outcome: no person, address or answer count.
    stored = task_queue.stored()
    assert any(str(staff_cycle.pk) in text and "closed" in text for text in stored)
    people = {text for user in User.objects.all() for text in (str(user.pk), user.pk.hex, user.email)}
    for text in stored:
        assert not [name for name in people if name in text], text


def test_closing_that_cannot_open_the_answers_says_so_and_can_be_tried_again(
    client, lead, organization, staff_cycle, submit_as_member, monkeypatch
):
    for value in ("4", "3", "2"):
        submit_as_member(staff_cycle, value)

    def unreadable(*, cycle):
        raise sealing.Unreadable

    monkeypatch.setattr(cycles, "pending_open", unreadable)
    login(client, lead.user)
    close = reverse("assessment:cycle_close", args=[organization.slug, staff_cycle.id])
    status = reverse("assessment:cycle_closing", args=[organization.slug, staff_cycle.id])
    assert client.post(close)["Location"] == status
    staff_cycle.refresh_from_db()
    assert staff_cycle.is_open and staff_cycle.pending.count() == 3  # nothing written, nothing lost
    page = client.get(status).content.decode()
    assert 'data-final="true"' in page and escape(str(cycles.SEALS_UNREADABLE_MESSAGE)) in _status(page)
    assert f'href="{close}"' in _status(page)
    assert client.get(close).status_code == 200  # the confirmation page again, to try again

    monkeypatch.setattr(cycles, "pending_open", pending.pending_open)
    client.post(close)
    staff_cycle.refresh_from_db()
    assert staff_cycle.is_closed and not CycleClosing.objects.exists()


def test_the_closing_page_of_an_audit_nobody_asked_to_close_says_so(client, lead, organization, staff_cycle):
    login(client, lead.user)
    page = client.get(reverse("assessment:cycle_closing", args=[organization.slug, staff_cycle.id])).content.decode()
    assert 'id="task-none"' in page and 'data-final="true"' in page
    assert Cycle.objects.get(pk=staff_cycle.pk).is_open


def test_staff_cannot_close_or_watch_closing(client, staff, organization, staff_cycle):
    login(client, staff.user)
    for name in ("assessment:cycle_close", "assessment:cycle_closing"):
        assert client.get(reverse(name, args=[organization.slug, staff_cycle.id])).status_code == 404
    assert client.post(reverse("assessment:cycle_close", args=[organization.slug, staff_cycle.id])).status_code == 404
    assert not CycleClosing.objects.exists()
