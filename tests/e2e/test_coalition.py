import re

import pytest
from django.utils import timezone

from coalitions import services as coalition_services
from coalitions.models import BenchmarkSnapshot, CoalitionMembership
from tests.e2e.conftest import check_page, log_in
from tests.queues import DatabaseQueue


@pytest.fixture
def network(org_factory, member_factory, user_factory, closed_cycles):
    year = timezone.localdate().year
    steward = user_factory("steward@example.org")
    coalition, code = coalition_services.coalition_create(user=steward, name="Lakeshore Network")
    joiner = None
    for index in range(5):
        organization = org_factory(f"Agency {index}")
        admin = member_factory(organization, "admin")
        closed_cycles(
            organization, years=(year,), responses=3, values=[("1",), ("2",), ("3",), ("4",), ("2", "3")][index]
        )
        if index < 4:
            membership = coalition_services.coalition_join(
                coalition=coalition, organization=organization, by=admin.user, join_code=code, consent=True
            )
            coalition_services.coalition_member_confirm(membership=membership)  # as the operator would
        else:
            joiner = admin
    return {"coalition": coalition, "code": code, "steward": steward, "joiner": joiner, "year": year}


def test_join_with_consent_publish_and_see_the_quartile(page, browser, live_server, network, settings):
    coalition, joiner = network["coalition"], network["joiner"]
    log_in(page, joiner.user.email)
    page.goto(f"/c/{coalition.slug}/join/")
    assert coalition.name not in page.content()  # nothing about the coalition before the code
    check_page(page, name="coalition-join-code")
    page.get_by_label("Join code:").fill(network["code"])
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="The risk that remains").wait_for()
    check_page(page, name="coalition-consent")
    page.get_by_label("I have read the above and consent").check()
    page.get_by_role("button", name="Join with consent").click()
    page.get_by_text("is now a member of Lakeshore Network").wait_for()
    membership = CoalitionMembership.objects.get(organization=joiner.organization)
    assert membership.consented_by == joiner.user and membership.consent_version == coalition_services.CONSENT_VERSION
    assert not membership.is_confirmed
    coalition_services.coalition_member_confirm(membership=membership)  # the operator checks, then confirms

    steward_context = browser.new_context(base_url=live_server.url)
    steward_page = steward_context.new_page()
    steward_page.console_errors = []
    log_in(steward_page, "steward@example.org")
    steward_page.goto(f"/c/{coalition.slug}/")
    check_page(steward_page, name="coalition-steward")
    steward_page.get_by_role("link", name="Publish a year's figures…").click()
    year = network["year"]
    steward_page.get_by_role("heading", name=f"Publish Lakeshore Network's figures for {year}?").wait_for()
    check_page(steward_page, name="coalition-publish")
    # What cannot be undone is read before the box and the button, which sit side by side below it.
    undone = steward_page.locator("#cannot-be-undone").bounding_box()
    box = steward_page.locator("#publish-confirm").bounding_box()
    button = steward_page.get_by_role("button", name=f"Publish the figures for {year}").bounding_box()
    cancel = steward_page.get_by_role("link", name="Not now").bounding_box()
    assert undone["y"] + undone["height"] <= box["y"] < button["y"]
    assert abs(cancel["y"] - button["y"]) < 2 and cancel["x"] + cancel["width"] < button["x"]
    steward_page.get_by_label(f"I understand that the figures for {year} can never be changed").check()
    # On a real queue: the page waits for the worker and updates itself when the figures are out.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TASKS_BACKEND = "database"
    steward_page.get_by_role("button", name=f"Publish the figures for {year}").click()
    steward_page.get_by_role("heading", name=f"Publishing Lakeshore Network's figures for {year}").wait_for()
    status = steward_page.locator("#task-status")
    assert status.get_attribute("data-final") == "false"
    assert status.locator("[aria-current=step]").inner_text() == "Waiting for its turn"
    check_page(steward_page, name="coalition-publishing-waiting")
    steward_page.evaluate("window.stillTheSamePage = true")
    assert not BenchmarkSnapshot.objects.exists()
    DatabaseQueue().work()
    steward_page.get_by_text(f"The figures for {year} are published.").wait_for(timeout=20_000)
    assert steward_page.evaluate("window.stillTheSamePage") is True  # updated in place, not reloaded
    assert status.get_attribute("data-final") == "true"
    check_page(steward_page, name="coalition-publishing-done")
    steward_page.get_by_role("link", name=f"See the figures for {year}").click()
    steward_page.get_by_role("heading", name=f"Lakeshore Network: figures for {year}").wait_for()
    check_page(steward_page, name="benchmark-steward")
    assert "Your score" not in steward_page.content()
    steward_context.close()
    assert BenchmarkSnapshot.objects.get(coalition=coalition).stats["overall"]["n"] == 5

    page.goto(f"/c/{coalition.slug}/benchmark/{network['year']}/")
    table = page.locator(f"#own-table-{joiner.organization.slug}")
    overall = table.locator("tbody tr").last
    assert overall.locator("th").inner_text() == "Overall"
    # A quartile, or the published figures the rounded score equals ("at the median").
    assert re.fullmatch(r"[1-4] of 4.*|at the .*", overall.locator("td").last.inner_text())
    check_page(page, name="benchmark-member")


def test_admin_withdraws_from_the_settings_page(page, live_server, network):
    coalition, joiner = network["coalition"], network["joiner"]
    coalition_services.coalition_join(
        coalition=coalition, organization=joiner.organization, by=joiner.user, join_code=network["code"], consent=True
    )
    log_in(page, joiner.user.email)
    page.goto(f"/o/{joiner.organization.slug}/settings/")
    check_page(page, name="settings-coalitions")
    page.get_by_role("link", name=f"Withdraw from {coalition.name}").click()
    page.get_by_role("heading", name=f"Withdraw {joiner.organization.name} from {coalition.name}?").wait_for()
    assert CoalitionMembership.objects.get(organization=joiner.organization).withdrawn_at is None
    check_page(page, name="coalition-withdraw-confirm")
    page.get_by_role("button", name=f"Withdraw from {coalition.name}").click()
    page.get_by_text(f"has withdrawn from {coalition.name}").wait_for()
    assert CoalitionMembership.objects.get(organization=joiner.organization).withdrawn_at is not None
    assert page.get_by_text("withdrawn").first.is_visible()
