import re

import pytest
from django.utils import timezone

from coalitions import services as coalition_services
from coalitions.models import BenchmarkSnapshot, CoalitionMembership
from tests.e2e.conftest import check_page, log_in


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


def test_join_with_consent_publish_and_see_the_quartile(page, browser, live_server, network):
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
    check_page(steward_page, name="coalition-publish")
    steward_page.get_by_label("Publish the figures for").select_option(str(network["year"]))
    steward_page.get_by_label("I understand that this year's figures can never be changed").check()
    steward_page.get_by_role("button", name="Publish").click()
    steward_page.get_by_text(f"Figures for {network['year']} are published.").wait_for()
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
    page.get_by_role("button", name=f"Withdraw from {coalition.name}").click()
    page.get_by_text(f"has withdrawn from {coalition.name}").wait_for()
    assert CoalitionMembership.objects.get(organization=joiner.organization).withdrawn_at is not None
    assert page.get_by_text("withdrawn").first.is_visible()
