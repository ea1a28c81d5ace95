"""Every named URL × every persona: the allowed get the page, the rest a login redirect or 404.

A URL without a row in EXPECTED fails the test, so each new URL must state who may use it.
"""

from dataclasses import dataclass
from datetime import date

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts import services
from accounts.models import Membership, Organization, User
from assessment.demo import CHECKLIST_3_PATH, COMMUNITY_PATH, INSTRUMENT_PATH
from assessment.instrument_file import read_instrument_file
from assessment.models import Questionnaire, RespondentLink
from assessment.services.cycles import cycle_close, cycle_create
from assessment.services.links import invitations_send, shared_link_create
from assessment.services.questionnaires import questionnaire_load
from assessment.services.responding import response_save_answers, response_submit
from coalitions import services as coalition_services
from coalitions.models import BenchmarkSnapshot, Coalition
from community_review.services import review_accept, review_invite
from reports.services import action_create
from tests.conftest import PASSWORD, full_answers, login, submit_through_link
from tests.urlmatrix import named_urls

PERSONAS = ("anonymous", "outsider", "staff", "lead", "admin", "steward", "other_steward", "reviewer")
LOGIN = "login"  # a redirect to the login page
ADMIN_LOGIN = "admin-login"  # a redirect to the Django admin's login, or the site's for anonymous visitors


@dataclass(frozen=True)
class Row:
    method: str
    expect: dict[str, int | str]
    note: str = ""
    data: dict | None = None


def row(  # one argument per persona
    method, anonymous, outsider, staff, lead, admin, note="", *, steward=None, other_steward=None, reviewer=None,
    data=None,
):  # fmt: skip
    """Say what each persona gets. Stewards, and the community reviewer of the organization's
    self-audit, are outsiders to organizations unless told otherwise."""
    steward = outsider if steward is None else steward
    other_steward = outsider if other_steward is None else other_steward
    reviewer = outsider if reviewer is None else reviewer
    values = (anonymous, outsider, staff, lead, admin, steward, other_steward, reviewer)
    return Row(method, dict(zip(PERSONAS, values, strict=True)), note, data)


def account_page(anonymous, member, method="get"):
    """An account page: the same for every logged-in person, whatever their organization."""
    return row(method, anonymous, member, member, member, member)


ORG_MEMBER = ("get", LOGIN, 404, 200, 200, 200)
ORG_MEMBER_ACTION = ("post", LOGIN, 404, 302, 302, 302)
ORG_LEAD_PAGE = ("get", LOGIN, 404, 404, 200, 200)
ORG_LEAD_ACTION = ("post", LOGIN, 404, 404, 302, 302)
ORG_ADMIN_PAGE = ("get", LOGIN, 404, 404, 404, 200)
ORG_ADMIN_ACTION = ("post", LOGIN, 404, 404, 404, 302)

EXPECTED: dict[str, Row] = {
    "landing": row("get", 200, 200, 200, 200, 200, note="public"),
    "healthz": row("get", 200, 200, 200, 200, 200, note="public: for a load balancer, no secrets"),
    "set_language": row(
        "post", 302, 302, 302, 302, 302, note="public: anyone may choose a language", data={"language": "fr"}
    ),
    "assessment:reminders_create": row(*ORG_LEAD_ACTION),
    "assessment:calendar": row(*ORG_LEAD_PAGE),
    "assessment:cycle_open_next": row(*ORG_LEAD_ACTION, data={"mode": "team"}),
    "accounts:org_create": row("get", LOGIN, 200, 200, 200, 200),
    "accounts:account_delete": account_page(LOGIN, 200),
    "assessment:org_dashboard": row(*ORG_MEMBER),
    "assessment:cycle_create": row(*ORG_LEAD_PAGE),
    "assessment:cycle_detail": row(*ORG_LEAD_PAGE),
    "assessment:cycle_open": row(*ORG_LEAD_ACTION),
    "assessment:cycle_close": row(*ORG_LEAD_PAGE, note="GET asks to confirm; POST closes on the task queue"),
    "assessment:cycle_closing": row(*ORG_LEAD_PAGE, note="how closing is going"),
    "assessment:cycle_delete": row(*ORG_ADMIN_PAGE, note="GET asks to confirm; POST with the typed label deletes"),
    "assessment:links_create": row("post", LOGIN, 404, 404, 200, 200, note="shows the new shared link once"),
    "assessment:invitations_create": row("post", LOGIN, 404, 404, 302, 302, data={"addresses": "someone@example.org"}),
    # A list the lead asked for, waiting for approval: admins see and approve it; the lead may withdraw it.
    "assessment:invitations_review": row(*ORG_ADMIN_PAGE, note="the addresses and who asked, nothing else"),
    "assessment:invitations_approve": row(*ORG_ADMIN_ACTION, note="an admin other than the one who asked"),
    "assessment:invitations_refuse": row(*ORG_LEAD_ACTION, note="an admin, or the lead who asked"),
    "assessment:respond": row(*ORG_MEMBER, note="staff survey: the start page explaining anonymity"),
    "assessment:respond_start": row(*ORG_MEMBER_ACTION),
    # Respondent links are public by design: the single-use token is the key, and no account is needed.
    "assessment:link_landing": row("get", 200, 200, 200, 200, 200, note="public: the token is the key"),
    "assessment:link_continue": row("get", 404, 404, 404, 404, 404, note="public: needs the resume cookie"),
    "assessment:link_thanks": row("get", 200, 200, 200, 200, 200, note="public"),
    # Community feedback: the short link printed on its card and poster is the way in, for anyone.
    "assessment:feedback_form": row("get", 200, 200, 200, 200, 200, note="public: the printed short link"),
    "assessment:feedback_sheet": row(*ORG_LEAD_PAGE, note="the card or poster to print"),
    # Reports of a closed, reportable staff survey; the organization lets staff read reports.
    "reports:cycle_report": row(*ORG_MEMBER),
    "reports:board_summary": row(*ORG_MEMBER),
    "reports:actions": row(*ORG_LEAD_PAGE),
    "reports:action_create": row(
        *ORG_LEAD_PAGE, data={"cycle": "{closed_cycle_id}", "practice": "police-contact-consent"}
    ),
    "reports:action_edit": row(*ORG_LEAD_PAGE),
    "reports:report_csv": row(*ORG_LEAD_PAGE),
    "reports:report_xlsx": row(*ORG_LEAD_PAGE),
    "reports:report_json": row(*ORG_LEAD_PAGE),
    "reports:trend": row(*ORG_MEMBER),
    # Coalitions: the organization is a member; "steward" stewards it, "other_steward" another one.
    "coalitions:coalition_create": row("get", LOGIN, 200, 200, 200, 200),
    "coalitions:coalition_detail": row(*ORG_MEMBER, steward=200, other_steward=404),
    "coalitions:benchmark": row(*ORG_MEMBER, steward=200, other_steward=404),
    "coalitions:coalition_join": row(
        "get",
        LOGIN,
        200,
        404,
        404,
        200,
        note="admins of any organization",
        steward=404,
        other_steward=404,
        reviewer=404,
    ),
    "coalitions:coalition_withdraw": row(
        *ORG_ADMIN_PAGE, note="GET asks to confirm; POST withdraws", data={"organization": "matrix-org"}
    ),
    "coalitions:snapshot_publish": row("post", LOGIN, 404, 404, 404, 404, steward=302, other_steward=404),
    "coalitions:snapshot_publishing": row(
        "get", LOGIN, 404, 404, 404, 404, note="how publishing is going", steward=200, other_steward=404
    ),
    "coalitions:join_code_renew": row("post", LOGIN, 404, 404, 404, 404, steward=200, other_steward=404),
    # Community review: the organization's admin asks, records payment and ends; the reviewer
    # sees their review page and nothing else of the organization.
    "community_review:review_invite": row(
        *ORG_ADMIN_ACTION, note="refused with a message: a review is open", data={"email": "peer@example.org"}
    ),
    "community_review:review_end": row(*ORG_ADMIN_PAGE, note="GET asks to confirm; POST ends"),
    "community_review:review_paid": row(*ORG_ADMIN_ACTION, data={"paid": "yes"}),
    "community_review:invitation": row("get", 200, 200, 200, 200, 200, note="public: the token is the key"),
    "community_review:review": row("get", LOGIN, 404, 404, 404, 404, reviewer=200),
    "community_review:review_leave": row(
        "get", LOGIN, 404, 404, 404, 404, note="GET asks to confirm; POST ends", reviewer=200
    ),
    "accounts:org_members": row(*ORG_ADMIN_PAGE),
    "accounts:org_settings": row(*ORG_ADMIN_PAGE),
    "accounts:org_delete": row(*ORG_ADMIN_PAGE, note="GET asks to confirm; POST with the typed name deletes"),
    "accounts:invitation_create": row(*ORG_ADMIN_ACTION),
    "accounts:invitation_revoke": row(*ORG_ADMIN_ACTION),
    "accounts:member_change_role": row(*ORG_ADMIN_ACTION),
    "accounts:member_remove": row(*ORG_ADMIN_PAGE, note="GET asks to confirm; POST removes"),
    "accounts:invitation_accept": row("get", 200, 200, 200, 200, 200, note="public: the token is the key"),
    # allauth: public entrance pages, and account pages for whoever is logged in.
    "account_login": account_page(200, 302),
    "account_signup": account_page(200, 302),
    "account_logout": account_page(302, 200),
    "account_inactive": account_page(200, 200),
    "account_email_verification_sent": account_page(200, 200),
    "account_confirm_email": account_page(200, 200),
    "account_reset_password": account_page(200, 200),
    "account_reset_password_done": account_page(200, 200),
    "account_reset_password_from_key": account_page(200, 200),
    "account_reset_password_from_key_done": account_page(200, 200),
    "account_confirm_login_code": account_page(302, 302),
    "account_change_password": account_page(LOGIN, 200),
    "account_set_password": account_page(LOGIN, 302),
    "account_email": account_page(LOGIN, 200),
    "account_reauthenticate": account_page(LOGIN, 200),
    "account_request_reauthentication_code": account_page(LOGIN, 200),
    "account_confirm_reauthentication_code": account_page(LOGIN, 302),
    "mfa_index": account_page(LOGIN, 200),
    "mfa_authenticate": account_page(302, 302),
    "mfa_reauthenticate": account_page(LOGIN, 302),
    "mfa_activate_totp": account_page(LOGIN, 302),
    "mfa_deactivate_totp": account_page(LOGIN, 404),
    "mfa_view_recovery_codes": account_page(LOGIN, 404),
    "mfa_generate_recovery_codes": account_page(LOGIN, 302),
    "mfa_download_recovery_codes": account_page(LOGIN, 404),
}
# The Django admin is for site administrators only; none of the personas is one.
ADMIN_SITE = account_page(ADMIN_LOGIN, ADMIN_LOGIN)
ADMIN_SITE_EXCEPTIONS = {
    # Through the site's own login (rate limits, second factor); only site administrators pass.
    "admin:login": account_page(LOGIN, 403),
    "admin:logout": account_page(302, 302),
}


def expectation(name: str) -> Row | None:
    if name in EXPECTED:
        return EXPECTED[name]
    if name.startswith("admin:"):
        return ADMIN_SITE_EXCEPTIONS.get(name, ADMIN_SITE)
    return None


def _build_world():
    """Real objects for every URL parameter."""
    organization = Organization.objects.create(name="Riverside Clinic", slug="matrix-org", sector="legal")
    other = Organization.objects.create(name="Elsewhere", slug="matrix-other", sector="health")
    users = {"anonymous": None}
    members = {}
    for persona, org, role in [
        ("admin", organization, "admin"),
        ("lead", organization, "lead"),
        ("staff", organization, "staff"),
        ("outsider", other, "admin"),
        ("steward", None, None),
        ("other_steward", None, None),
        ("reviewer", None, None),
    ]:
        user = User.objects.create_user(email=f"{persona}@matrix.example.org", password=PASSWORD)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        if org is not None:
            members[persona] = Membership.objects.create(user=user, organization=org, role=role)
        users[persona] = user
    admin = users["admin"]
    invitation, token = services.invitation_create(
        organization=organization, email="invitee@example.org", role="staff", by=admin, accept_url_for=str
    )
    questionnaire, _ = questionnaire_load(data=read_instrument_file(INSTRUMENT_PATH))
    closed = cycle_create(
        organization=organization,
        by=admin,
        questionnaire=questionnaire,
        label="Closed survey",
        mode="staff",
        opens_on="2025-03-01",
        min_responses=3,
    )
    closed_token = shared_link_create(cycle=closed, by=admin)
    for _ in range(3):
        submit_through_link(closed_token, full_answers(questionnaire))
    # Closed last year, so this year's survey may open (one staff survey at a time, a gap between).
    closed = cycle_close(cycle=closed, by=admin, on=date(2025, 4, 1))
    cycle = cycle_create(
        organization=organization,
        by=admin,
        questionnaire=questionnaire,
        label="Staff survey",
        mode="staff",
        opens_on="2026-03-01",
    )
    link_token = shared_link_create(cycle=cycle, by=admin)
    community, _ = questionnaire_load(data=read_instrument_file(COMMUNITY_PATH))
    feedback = cycle_create(
        organization=organization,
        by=admin,
        questionnaire=community,
        label="Community feedback",
        mode="community",
        opens_on="2026-03-01",
    )
    coalition, code = coalition_services.coalition_create(user=users["steward"], name="Matrix Coalition")
    coalition_services.coalition_create(user=users["other_steward"], name="Matrix Other Coalition")
    coalition_services.coalition_join(
        coalition=coalition, organization=organization, by=admin, join_code=code, consent=True
    )
    action = action_create(
        organization=organization,
        by=admin,
        source_cycle=closed,
        practice="police-contact-consent",
        what="Write the rule",
    )
    # One member is too few to publish; the matrix needs a published year's page, so the year is
    # stored as an earlier release published such years: a bare count.
    snapshot = BenchmarkSnapshot.objects.create(
        coalition=coalition,
        period=closed.closed_on.year,
        published_by=users["steward"],
        stats={
            "overall": {"n": 1, "suppressed": True, "q1": None, "median": None, "q3": None, "p10": None, "p90": None}
        },
        scoring_version=2,
        confirmed_members_only=True,
    )
    # A second admin, so that the lead's invitations wait for approval.
    second = User.objects.create_user(email="second-admin@matrix.example.org", password=PASSWORD)
    Membership.objects.create(user=second, organization=organization, role="admin")
    invitations_send(cycle=cycle, by=users["lead"], addresses=["awaiting@example.org"], site_url="")
    list_id = RespondentLink.objects.get(cycle=cycle, delivery="awaiting").approval_list
    review, review_token = _reviews(organization, admin, users["reviewer"])
    params = {
        "org_slug": organization.slug,
        "cycle_id": cycle.id,
        "membership_id": members["staff"].id,
        "invitation_id": invitation.id,
        "token": token,
        # allauth and admin parameters: an unknown key must still answer without an error.
        "key": "not-a-real-key",
        "uidb36": "1",
        "app_label": "accounts",
        "object_id": str(users["staff"].pk),
        "id": str(users["staff"].pk),
        "content_type_id": 1,
        "coalition_slug": coalition.slug,
        "action_id": action.id,
        "closed_cycle_id": closed.id,
        "year": snapshot.period,
        "list_id": list_id,
        "code": feedback.feedback_code,
        "sheet": "poster",
        "review_id": review.id,
    }
    overrides = {
        "assessment:link_landing": {"token": link_token},
        "assessment:feedback_sheet": {"cycle_id": feedback.id},
        "community_review:invitation": {"token": review_token},
        "community_review:review_invite": {"cycle_id": review.cycle_id},
        **{name: {"cycle_id": closed.id} for name in EXPECTED if name.startswith("reports:")},
    }
    return params, overrides, users


def _reviews(organization, admin, reviewer):
    """A closed self-audit under review by ``reviewer``, and another one's pending invitation."""
    checklist, _ = questionnaire_load(data=read_instrument_file(CHECKLIST_3_PATH))
    audits = []
    for label in ("Self-audit", "Second self-audit"):
        audit = cycle_create(
            organization=organization, by=admin, questionnaire=checklist, label=label, mode="team",
            opens_on="2026-02-01",
        )  # fmt: skip
        response = audit.responses.get()
        response_save_answers(response=response, answers=full_answers(checklist, "1"), by=admin)
        response_submit(response=response, user=admin)
        audit.refresh_from_db()
        audits.append(audit)
    review, token = review_invite(cycle=audits[0], email=reviewer.email, language="en", by=admin, accept_url_for=str)
    review_accept(token=token, user=reviewer)
    _pending, pending_token = review_invite(
        cycle=audits[1], email="pending@example.org", language="en", by=admin, accept_url_for=str
    )
    return review, pending_token


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module; each test's own writes are rolled back by its transaction."""
    with django_db_blocker.unblock():
        built = _build_world()
        yield built
        Organization.objects.filter(slug__in=["matrix-org", "matrix-other"]).delete()
        Coalition.objects.filter(name__startswith="Matrix").delete()
        User.objects.filter(email__endswith="@matrix.example.org").delete()
        Questionnaire.objects.all().delete()


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("named", named_urls(), ids=lambda u: u.name)
def test_url_access(db, client, world, named, persona):
    params, overrides, users = world
    params = {**params, **overrides.get(named.name, {})}
    expected = expectation(named.name)
    if expected is None:
        pytest.fail(f"{named.name} ({named.route}) has no row in EXPECTED: say who may use it.")
    missing = [p for p in named.params if p not in params]
    assert not missing, f"{named.name}: no test object for {missing}"
    url = reverse(named.name, kwargs={p: params[p] for p in named.params})
    if users[persona]:
        login(client, users[persona])
    data = {key: value.format(**params) for key, value in (expected.data or {}).items()}
    response = getattr(client, expected.method)(url, data)
    want = expected.expect[persona]
    assert response.status_code < 500
    if want == LOGIN:
        assert response.status_code == 302, (url, response.status_code)
        assert response["Location"].startswith(reverse("account_login") + "?next="), response["Location"]
    elif want == ADMIN_LOGIN:
        assert response.status_code == 302, (url, response.status_code)
        allowed = (reverse("admin:login"),)
        if persona == "anonymous":
            allowed += (reverse("account_login") + "?next=",)
        assert response["Location"].startswith(allowed), response["Location"]
    else:
        assert response.status_code == want, (url, persona, response.status_code, response.get("Location"))


def test_matrix_has_no_stale_rows():
    names = {u.name for u in named_urls()}
    assert set(EXPECTED) <= names, set(EXPECTED) - names
