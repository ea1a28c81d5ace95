import re

from django.core import mail

from accounts.models import Invitation, Membership, Organization
from tests.conftest import PASSWORD
from tests.e2e.conftest import check_page


def test_sign_up_verify_create_organization_and_invite(page, live_server):
    page.goto("/")
    check_page(page, name="landing")
    page.get_by_role("link", name="Sign up").first.click()
    check_page(page)
    page.get_by_label("Email:").fill("founder@example.org")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again):").fill(PASSWORD)
    page.get_by_role("button", name="Create the account").click()
    page.wait_for_url("**/accounts/confirm-email/")
    check_page(page)

    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    check_page(page)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="Your organizations").is_visible()
    check_page(page)

    page.get_by_role("link", name="Set up an organization").click()
    check_page(page)
    page.get_by_label("Name").fill("Harbour Health Centre")
    page.get_by_label("Sector").select_option("health")
    page.get_by_role("button", name="Create organization").click()
    page.wait_for_url("**/o/harbour-health-centre/")
    check_page(page, name="dashboard")
    organization = Organization.objects.get(slug="harbour-health-centre")
    assert Membership.objects.get(organization=organization).user.email == "founder@example.org"

    page.get_by_role("link", name="Members").click()
    check_page(page)
    page.get_by_label("Email address").fill("colleague@example.org")
    page.get_by_label("Role:", exact=True).select_option("lead")
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_text("Invitation sent to colleague@example.org").wait_for()
    check_page(page, name="members")
    assert Invitation.objects.get(organization=organization).email == "colleague@example.org"

    page.get_by_role("link", name="Settings").click()
    assert page.title() == "Settings · Harbour Health Centre · Ally Readiness"
    check_page(page, name="settings")
    assert "colleague@example.org" in mail.outbox[-1].to
