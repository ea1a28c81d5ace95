"""Publishing a year is final: it asks first, naming the year (the latest one ready), is refused
below k with nothing written, and runs on the task queue with a page that follows it."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from accounts.models import User
from coalitions import services
from coalitions.models import BenchmarkSnapshot, CoalitionEvent, CoalitionMembership, SnapshotPublishing
from tests.conftest import login

YEAR = 2025


def _coalition(org_factory, member_factory, user_factory, closed_cycles, *, members, years=(YEAR,), confirmed=None):
    """A coalition of ``members`` organizations, each with a closed survey in each of ``years``,
    of which the first ``confirmed`` (all by default) are confirmed by the operator."""
    steward = user_factory("steward@example.org")
    coalition, code = services.coalition_create(user=steward, name="Network")
    confirmed = members if confirmed is None else confirmed
    for index in range(members):
        organization = org_factory(f"Member {index}")
        admin = member_factory(organization, "admin")
        closed_cycles(organization, years=years, responses=3, values=(str(index % 5), str((index + 2) % 5)))
        membership = services.coalition_join(
            coalition=coalition, organization=organization, by=admin.user, join_code=code, consent=True
        )
        if index < confirmed:
            services.coalition_member_confirm(membership=membership)
    return coalition, steward


def _publish_url(coalition, period=None):
    url = reverse("coalitions:snapshot_publish", args=[coalition.slug])
    return f"{url}?period={period}" if period else url


def _form(page: str) -> str:
    start = page.index('id="publish-form"')
    return page[start : page.index("</form>", start)]


def test_publishing_asks_first_naming_the_latest_ready_year(
    client, org_factory, member_factory, user_factory, closed_cycles
):
    coalition, steward = _coalition(
        org_factory, member_factory, user_factory, closed_cycles, members=5, years=(2024, YEAR)
    )
    login(client, steward)
    detail = client.get(coalition.get_absolute_url()).content.decode()
    assert f'href="{_publish_url(coalition)}"' in detail and 'name="confirm"' not in detail
    page = client.get(_publish_url(coalition)).content.decode()
    # The latest year that is ready, not the oldest, named in the heading and in the form.
    assert f"Publish Network's figures for {YEAR}?" in page
    assert f'<input type="hidden" name="period" value="{YEAR}">' in _form(page)
    assert "A year is published once. It cannot be published again" in page[page.index('id="cannot-be-undone"') :]
    assert 'href="?period=2024"' in page and "Publish 2024 instead" in page
    page = client.get(_publish_url(coalition, 2024)).content.decode()
    assert '<input type="hidden" name="period" value="2024">' in _form(page)
    assert not BenchmarkSnapshot.objects.exists() and not SnapshotPublishing.objects.exists()  # a GET writes nothing

    # Without the box ticked: the steward's message, nothing written.
    response = client.post(_publish_url(coalition), {"period": YEAR}, follow=True)
    assert escape(str(services.CONFIRM_MESSAGE)) in response.content.decode()
    assert not BenchmarkSnapshot.objects.exists() and not SnapshotPublishing.objects.exists()

    response = client.post(_publish_url(coalition), {"period": YEAR, "confirm": "yes"})
    status = reverse("coalitions:snapshot_publishing", args=[coalition.slug, YEAR])
    assert response["Location"] == status
    assert list(BenchmarkSnapshot.objects.values_list("period", flat=True)) == [YEAR]
    page = client.get(status).content.decode()
    assert 'id="task-done"' in page and 'data-final="true"' in page
    assert f'href="{reverse("coalitions:benchmark", args=[coalition.slug, YEAR])}"' in page
    # The published year is offered no more; 2024 is now the one named.
    page = client.get(_publish_url(coalition)).content.decode()
    assert '<input type="hidden" name="period" value="2024">' in _form(page)


@pytest.mark.django_db(transaction=True)
def test_publishing_below_k_is_refused_and_writes_nothing(
    task_queue, client, org_factory, member_factory, user_factory, closed_cycles
):
    """One confirmed member of the five needed (four more wait for the operator): the year would
    stay a bare count for good, so it cannot be published, whatever the steward posts."""
    coalition, steward = _coalition(org_factory, member_factory, user_factory, closed_cycles, members=5, confirmed=1)
    stored_before = task_queue.stored()
    login(client, steward)
    page = client.get(_publish_url(coalition)).content.decode()
    assert 'id="nothing-to-publish"' in page and 'id="publish-form"' not in page
    page = client.get(_publish_url(coalition, YEAR)).content.decode()
    refusal = escape(str(services.BELOW_K_MESSAGE % {"period": YEAR, "k": 5}))
    assert refusal in page and 'id="publish-form"' not in page
    response = client.post(_publish_url(coalition), {"period": YEAR, "confirm": "yes"}, follow=True)
    assert refusal in response.content.decode()
    assert not BenchmarkSnapshot.objects.exists()
    assert not SnapshotPublishing.objects.exists()
    assert not CoalitionEvent.objects.filter(action=CoalitionEvent.Action.PUBLISHED).exists()
    assert task_queue.stored() == stored_before  # nothing queued
    task_queue.work()
    assert not BenchmarkSnapshot.objects.exists()


def _current_step(page: str) -> str:
    found = re.search(r'<li class="task-step-current" aria-current="step">([^<]*)', page)
    return found.group(1) if found else ""


@pytest.mark.django_db(transaction=True)
def test_publishing_runs_on_the_queue_and_its_page_follows_it(
    task_queue, client, org_factory, member_factory, user_factory, closed_cycles
):
    coalition, steward = _coalition(org_factory, member_factory, user_factory, closed_cycles, members=5)
    stored_before = len(task_queue.stored())
    login(client, steward)
    status = reverse("coalitions:snapshot_publishing", args=[coalition.slug, YEAR])
    assert client.post(_publish_url(coalition), {"period": YEAR, "confirm": "yes"})["Location"] == status
    assert not BenchmarkSnapshot.objects.exists()  # the worker has not run
    page = client.get(status).content.decode()
    assert 'data-final="false"' in page and _current_step(page) == "Waiting for its turn"
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page and 'id="check-again"' in page
    # Asking again while it waits goes to its page and queues nothing more.
    assert client.get(_publish_url(coalition))["Location"] == status
    client.post(_publish_url(coalition), {"period": YEAR, "confirm": "yes"})
    stored = task_queue.stored()
    assert len(stored) == stored_before + 1
    publish_task = [text for text in stored if str(coalition.pk) in text]
    assert len(publish_task) == 1 and str(YEAR) in publish_task[0]

    task_queue.work()
    snapshot = BenchmarkSnapshot.objects.get(coalition=coalition)
    assert snapshot.period == YEAR and snapshot.stats["overall"]["n"] == 5
    assert not SnapshotPublishing.objects.exists()
    assert CoalitionEvent.objects.get(action=CoalitionEvent.Action.PUBLISHED).actor == steward
    page = client.get(status).content.decode()
    assert 'data-final="true"' in page and _current_step(page) == "Published"
    assert f'href="{snapshot.get_absolute_url()}"' in page and "<noscript>" not in page

    # The queue names the coalition and the year: no steward, member, address or score.
    people = {text for user in User.objects.all() for text in (str(user.pk), user.pk.hex, user.email)}
    for text in task_queue.stored():
        assert not [name for name in people if name in text], text
        assert "median" not in text and "q1" not in text


@pytest.mark.django_db(transaction=True)
def test_a_year_the_rules_refuse_by_the_time_the_worker_runs_is_not_published_and_says_why(
    task_queue, client, org_factory, member_factory, user_factory, closed_cycles
):
    coalition, steward = _coalition(org_factory, member_factory, user_factory, closed_cycles, members=5)
    login(client, steward)
    client.post(_publish_url(coalition), {"period": YEAR, "confirm": "yes"})
    # A member withdraws while the request waits: four remain, below k.
    withdrawn = CoalitionMembership.objects.filter(coalition=coalition).first()
    services.coalition_withdraw(coalition=coalition, organization=withdrawn.organization, by=None)
    task_queue.work()
    assert not BenchmarkSnapshot.objects.exists()
    page = client.get(reverse("coalitions:snapshot_publishing", args=[coalition.slug, YEAR])).content.decode()
    assert 'data-final="true"' in page and 'id="task-failed"' in page
    assert escape(str(services.BELOW_K_MESSAGE % {"period": YEAR, "k": 5})) in page


def test_a_publish_task_queued_by_the_earlier_release_does_nothing(
    org_factory, member_factory, user_factory, closed_cycles
):
    from coalitions.tasks import publish_snapshot

    coalition, steward = _coalition(org_factory, member_factory, user_factory, closed_cycles, members=5)
    result = publish_snapshot.enqueue(coalition_id=str(coalition.pk), period=YEAR, by_id=str(steward.pk))
    assert result.return_value == "not asked"
    assert not BenchmarkSnapshot.objects.exists()
