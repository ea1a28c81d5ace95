"""Community review: a person from an organization led by sex workers checks a closed self-audit."""

import io
import json
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import AuditEvent, Membership
from accounts.services import user_delete
from accounts.tokens import new_token
from assessment.demo import CHECKLIST_3_PATH
from assessment.instrument_file import read_instrument_file
from assessment.models import Cycle
from assessment.services.cycles import cycle_create
from assessment.services.questionnaires import questionnaire_load
from assessment.services.responding import response_save_answers, response_submit
from community_review import services
from community_review.models import Mark, Review
from community_review.selectors import review_entries
from tests.conftest import login

pytestmark = pytest.mark.django_db

EVIDENCE = "Consent form 3, signed before any referral; checked each quarter by the director"


@pytest.fixture
def self_audit(organization, lead):
    """A closed version 3 self-audit: every entry at level 2 (or "once" on the records entries),
    one with its evidence named, the rest claimed without evidence."""
    checklist, _ = questionnaire_load(data=read_instrument_file(CHECKLIST_3_PATH))
    cycle = cycle_create(
        organization=organization, by=lead.user, questionnaire=checklist, label="Self-audit 2026",
        mode=Cycle.Mode.TEAM, opens_on="2026-03-01",
    )  # fmt: skip
    response = cycle.responses.get()
    answers = {item.key: "2" if item.scale == "maturity" else "1" for item in checklist.items.all()}
    first = checklist.items.filter(staff_view=False, scale="maturity").order_by("order").first()
    response_save_answers(response=response, answers=answers, notes={first.key: EVIDENCE}, by=lead.user)
    response_submit(response=response, user=lead.user)
    cycle.refresh_from_db()
    cycle.evidenced_key = first.key
    return cycle


@pytest.fixture
def reviewer(user_factory):
    return user_factory("peer@swled.example.org")


def _invite(client, admin, cycle, email="peer@swled.example.org", language="en"):
    login(client, admin.user)
    url = reverse("community_review:review_invite", args=[cycle.organization.slug, cycle.id])
    return client.post(url, {"email": email, "language": language})


def _token_of(review) -> str:
    """Give a waiting invitation a link this test knows (only its hash is ever stored)."""
    from accounts.tokens import hash_token

    token = new_token()
    Review.objects.filter(pk=review.pk).update(token_hash=hash_token(token))
    return token


def _token(message) -> str:
    return re.search(r"/review/([A-Za-z0-9_-]{20,})/", message.body).group(1)


@pytest.fixture
def invited(client, admin, self_audit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, admin, self_audit)
    return Review.objects.get(cycle=self_audit), _token(mail.outbox[-1])


@pytest.fixture
def accepted(client, invited, reviewer):
    review, token = invited
    login(client, reviewer)
    response = client.post(
        reverse("community_review:invitation", args=[token]),
        {"answer": "accept", "reviewer_organization": "Harbour Sex Workers Collective", "named": "on"},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    return review


def _all_marks(cycle, verdict="matches", **overrides) -> dict[str, str]:
    data = {}
    for entry in review_entries(cycle):
        data[f"verdict-{entry.key}"] = overrides.get(entry.key, verdict)
    return data


def _post_review(client, review, data, *, submit, organization="Harbour Sex Workers Collective", named=True):
    body = {**data, "reviewer_organization": organization, "submit": "1" if submit else "0"}
    if named:
        body["named"] = "on"
    return client.post(reverse("community_review:review", args=[review.pk]), body)


def _audit_data(organization) -> list[dict]:
    return list(AuditEvent.objects.filter(organization=organization).values_list("data", flat=True))


def test_the_invitation_says_who_asks_what_the_reviewer_sees_and_that_they_may_decline(
    client, admin, self_audit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client, admin, self_audit, language="fr")
    assert response.status_code == 302
    review = Review.objects.get(cycle=self_audit)
    assert review.status == Review.Status.INVITED and review.language == "fr"
    message = mail.outbox[-1]
    assert message.to == ["peer@swled.example.org"]
    assert self_audit.organization.name in message.subject and "auto-évaluation" in message.subject
    assert "jamais" in message.body  # never any staff or community answers
    client.logout()
    page = client.get(reverse("community_review:invitation", args=[_token(message)]), HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200 and self_audit.organization.name in text
    assert "Never any answer from its staff or from the people it serves" in text
    assert "Decline without an account" in text
    # The log keeps facts: the review and the audit, never the address.
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REVIEW_INVITED).exists()
    assert "peer@swled.example.org" not in str(_audit_data(self_audit.organization))


def test_a_member_an_open_review_and_a_staff_survey_are_refused(client, admin, staff, self_audit, invited):
    before = Review.objects.count()
    response = _invite(client, admin, self_audit, email="someone-else@example.org")
    assert Review.objects.count() == before
    login(client, admin.user)
    assert "already has a community review" in client.get(response["Location"]).content.decode()
    _invite(client, admin, self_audit, email=staff.user.email)
    assert Review.objects.count() == before
    survey = cycle_create(
        organization=self_audit.organization, by=admin.user, questionnaire=self_audit.questionnaire,
        label="Open one", mode=Cycle.Mode.TEAM, opens_on="2026-03-01",
    )  # fmt: skip
    _invite(client, admin, survey, email="other@example.org")
    assert not Review.objects.filter(cycle=survey).exists()


def test_only_the_invited_address_may_accept_and_the_link_works_once(client, invited, reviewer, user_factory):
    review, token = invited
    url = reverse("community_review:invitation", args=[token])
    login(client, user_factory("someone@else.example.org"))
    refused = client.post(url, {"answer": "accept"})
    assert "another email address" in refused.content.decode()
    assert Review.objects.get(pk=review.pk).status == Review.Status.INVITED
    login(client, reviewer)
    assert client.post(url, {"answer": "accept", "reviewer_organization": ""}).status_code == 302
    review.refresh_from_db()
    assert review.status == Review.Status.ACCEPTED and review.reviewer == reviewer
    assert review.email == "" and review.token_hash == ""  # nothing kept that is no longer needed
    assert client.get(url).status_code == 404
    assert client.post(url, {"answer": "decline"}).status_code == 404


def test_declining_needs_no_account_and_the_report_says_it_was_declined(client, invited, lead, self_audit):
    review, token = invited
    client.logout()
    page = client.post(reverse("community_review:invitation", args=[token]), {"answer": "decline"})
    assert page.status_code == 200 and "You declined" in page.content.decode()
    review.refresh_from_db()
    assert review.status == Review.Status.DECLINED and review.email == ""
    login(client, lead.user)
    report = client.get(reverse("reports:cycle_report", args=[self_audit.organization.slug, self_audit.id]))
    assert "the person asked to review declined" in report.content.decode()


def test_the_review_page_shows_the_answers_and_evidence_and_nothing_of_staff(client, accepted, reviewer, self_audit):
    login(client, reviewer)
    page = client.get(reverse("community_review:review", args=[accepted.pk])).content.decode()
    assert EVIDENCE in page
    assert "no evidence named, so counted as level 1 instead of 2" in page
    entries = review_entries(self_audit)
    assert entries and all(f'name="verdict-{entry.key}"' in page for entry in entries)
    assert not [e for e in entries if e.key in (self_audit.results.get("staff_view") or [])]
    assert "Written down and known to staff" in page  # the level leadership gave, in its words


def test_saving_and_coming_back_then_submitting(client, accepted, reviewer, self_audit):
    login(client, reviewer)
    entries = review_entries(self_audit)
    first, second = entries[0].key, entries[1].key
    data = {f"verdict-{first}": "differs", f"note-{first}": "People tell us the form is never shown."}
    assert _post_review(client, accepted, data, submit=False).status_code == 302
    assert Mark.objects.get(review=accepted, item_key=first).verdict == "differs"
    page = client.get(reverse("community_review:review", args=[accepted.pk])).content.decode()
    assert "People tell us the form is never shown." in page
    assert re.search(rf'<input type="radio" name="verdict-{first}" value="differs"[^>]* checked', page)
    # Submitting with entries unmarked keeps what was marked and says what is missing.
    _post_review(client, accepted, {**data, f"verdict-{second}": "cannot_say"}, submit=True)
    accepted.refresh_from_db()
    assert accepted.status == Review.Status.ACCEPTED and accepted.marks.count() == 2
    assert "Mark every entry" in client.get(reverse("community_review:review", args=[accepted.pk])).content.decode()
    _post_review(client, accepted, {**_all_marks(self_audit), **data}, submit=True)
    accepted.refresh_from_db()
    assert accepted.status == Review.Status.SUBMITTED and accepted.marks.count() == len(entries)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REVIEW_SUBMITTED, data__differs=1).exists()
    # Submitted is final: another post changes nothing.
    _post_review(client, accepted, _all_marks(self_audit, "cannot_say"), submit=True)
    assert Mark.objects.filter(review=accepted, verdict="cannot_say").count() == 0


def test_a_tampered_form_saves_nothing_and_keeps_what_was_typed(client, accepted, reviewer, self_audit):
    login(client, reviewer)
    first = review_entries(self_audit)[0].key
    tampered = {f"verdict-{first}": "perfect", f"note-{first}": "Typed with care"}
    page = _post_review(client, accepted, tampered, submit=False)
    assert page.status_code == 200 and "Typed with care" in page.content.decode()
    note_only = {f"note-{first}": "A note without a mark"}
    page = _post_review(client, accepted, note_only, submit=False)
    assert "Choose what you see before adding a note." in page.content.decode()
    assert not Mark.objects.filter(review=accepted).exists()


def test_the_report_shows_the_review_beside_each_answer_with_agreement_and_notes_for_leads(
    client, accepted, reviewer, self_audit, lead, staff, admin
):
    evidenced = self_audit.evidenced_key
    login(client, reviewer)
    note = {f"note-{evidenced}": "Nobody we know was shown this form."}
    _post_review(client, accepted, {**_all_marks(self_audit, **{evidenced: "differs"}), **note}, submit=True)
    url = reverse("reports:cycle_report", args=[self_audit.organization.slug, self_audit.id])
    login(client, lead.user)
    page = client.get(url).content.decode()
    assert "Reviewed by Harbour Sex Workers Collective on" in page
    assert "community review: does not match" in page and "community review: matches what they see" in page
    agreement = page[page.index('id="review-agreement"') : page.index("</table>", page.index('id="review-agreement"'))]
    assert ">1</td>" in agreement  # one entry does not match
    assert "Nobody we know was shown this form." in page
    login(client, staff.user)
    page = client.get(url).content.decode()
    assert "community review: does not match" in page and "Nobody we know was shown this form." not in page
    board = client.get(reverse("reports:board_summary", args=[self_audit.organization.slug, self_audit.id]))
    line = board.content.decode().split('id="board-review"')[1].split("</li>")[0]
    total = len(review_entries(self_audit))
    assert "Reviewed by Harbour Sex Workers Collective" in line
    assert f"Of {total} answers, {total - 1} matched what the reviewer sees and 1 did not." in line


def test_an_unnamed_reviewer_and_an_unreviewed_self_audit_are_said_so(client, accepted, reviewer, self_audit, lead):
    url = reverse("reports:board_summary", args=[self_audit.organization.slug, self_audit.id])
    login(client, lead.user)
    assert "A community review is under way" in client.get(url).content.decode()
    login(client, reviewer)
    _post_review(client, accepted, _all_marks(self_audit), submit=True, named=False)
    login(client, lead.user)
    line = client.get(url).content.decode().split('id="board-review"')[1].split("</li>")[0]
    assert "chose not to be named" in line and "Harbour" not in line
    Review.objects.all().delete()
    line = client.get(url).content.decode().split('id="board-review"')[1].split("</li>")[0]
    assert "Not reviewed by the community" in line


def test_the_reviewer_ending_before_submitting_keeps_nothing(client, accepted, reviewer, self_audit, lead):
    login(client, reviewer)
    _post_review(client, accepted, _all_marks(self_audit), submit=False)
    end = reverse("community_review:review_leave", args=[accepted.pk])
    assert client.get(end).status_code == 200
    assert client.post(end).status_code == 302
    accepted.refresh_from_db()
    assert accepted.status == Review.Status.ENDED and accepted.ended_by == "reviewer"
    assert not accepted.marks.exists()
    assert client.get(reverse("community_review:review", args=[accepted.pk])).status_code == 404
    login(client, lead.user)
    page = client.get(reverse("reports:cycle_report", args=[self_audit.organization.slug, self_audit.id]))
    assert "the reviewer ended the review" in page.content.decode()


def test_the_organization_ending_after_submission_keeps_the_marks_labelled_as_ended(
    client, accepted, reviewer, self_audit, admin
):
    login(client, reviewer)
    _post_review(client, accepted, _all_marks(self_audit), submit=True)
    login(client, admin.user)
    paid = reverse("community_review:review_paid", args=[self_audit.organization.slug, accepted.pk])
    assert client.post(paid, {"paid": "sometimes"}).status_code == 302
    assert Review.objects.get(pk=accepted.pk).paid is None
    client.post(paid, {"paid": "yes"})
    end = reverse("community_review:review_end", args=[self_audit.organization.slug, accepted.pk])
    assert client.post(end).status_code == 302
    accepted.refresh_from_db()
    assert accepted.status == Review.Status.ENDED and accepted.ended_by == "organization" and accepted.paid
    assert accepted.marks.count() == len(review_entries(self_audit))
    page = client.get(reverse("reports:cycle_report", args=[self_audit.organization.slug, self_audit.id]))
    text = page.content.decode()
    assert "The review has since ended." in text and "The reviewer was paid for their time." in text
    assert client.post(end).status_code == 302  # a second end is refused with a message, not an error
    assert client.get(end).status_code == 404
    login(client, reviewer)
    assert client.get(reverse("community_review:review", args=[accepted.pk])).status_code == 404
    # Every step is in the log, worded when read.
    actions = set(AuditEvent.objects.filter(organization=self_audit.organization).values_list("action", flat=True))
    steps = {"review_invited", "review_accepted", "review_submitted", "review_paid", "review_ended"}
    assert steps <= actions
    members = client.get(reverse("accounts:org_members", args=[self_audit.organization.slug]))
    assert members.status_code == 404  # the reviewer is no member
    login(client, admin.user)
    log = client.get(reverse("accounts:org_members", args=[self_audit.organization.slug])).content.decode()
    assert "Community review ended" in log and "by the organization" in log


def test_the_reviewer_sees_nothing_else_of_the_organization(client, accepted, reviewer, self_audit, user_factory):
    login(client, reviewer)
    slug = self_audit.organization.slug
    for url in (
        reverse("assessment:org_dashboard", args=[slug]),
        reverse("assessment:cycle_detail", args=[slug, self_audit.id]),
        reverse("reports:cycle_report", args=[slug, self_audit.id]),
        reverse("reports:board_summary", args=[slug, self_audit.id]),
        reverse("community_review:review_end", args=[slug, accepted.pk]),
    ):
        assert client.get(url).status_code == 404, url
    login(client, user_factory())
    assert client.get(reverse("community_review:review", args=[accepted.pk])).status_code == 404


def test_a_reviewer_deleting_their_account_ends_the_open_review(accepted, reviewer):
    user_delete(user=reviewer)
    accepted.refresh_from_db()
    assert accepted.status == Review.Status.ENDED and accepted.reviewer is None


def test_the_admin_page_of_the_self_audit_shows_the_review_and_its_controls(client, accepted, admin, lead, self_audit):
    url = reverse("assessment:cycle_detail", args=[self_audit.organization.slug, self_audit.id])
    login(client, admin.user)
    page = client.get(url).content.decode()
    assert "Under way: the reviewer accepted on" in page and 'id="review-paid-form"' in page
    login(client, lead.user)
    page = client.get(url).content.decode()
    assert "Under way" in page and 'id="review-paid-form"' not in page


def test_the_exports_carry_the_review_in_the_report_pages_words(client, accepted, reviewer, self_audit, lead):
    evidenced = self_audit.evidenced_key
    login(client, reviewer)
    note = {f"note-{evidenced}": "Nobody we know was shown this form."}
    _post_review(client, accepted, {**_all_marks(self_audit, **{evidenced: "differs"}), **note}, submit=True)
    login(client, lead.user)
    slug = self_audit.organization.slug
    body = json.loads(client.get(reverse("reports:report_json", args=[slug, self_audit.id])).content)
    review = body["community_review"]
    assert review["status"].startswith("Reviewed by Harbour Sex Workers Collective on")
    row = next(r for r in review["rows"] if r["key"] == evidenced)
    assert row["verdict"] == "Does not match" and row["note"] == "Nobody we know was shown this form."
    assert len(review["rows"]) == len(review_entries(self_audit))
    workbook = load_workbook(io.BytesIO(client.get(reverse("reports:report_xlsx", args=[slug, self_audit.id])).content))
    sheet = workbook["Community review"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][1] == review["status"]
    assert sorted({v[2] for v in values[2:]} - {"Does not match"}) == ["Matches what they see"]


def test_a_draft_leaves_nothing_of_what_it_said_in_the_log(client, accepted, reviewer, self_audit):
    login(client, reviewer)
    first = review_entries(self_audit)[0].key
    _post_review(client, accepted, {f"verdict-{first}": "differs"}, submit=False)
    client.post(reverse("community_review:review_leave", args=[accepted.pk]))
    saved = AuditEvent.objects.get(action=AuditEvent.Action.REVIEW_SAVED)
    assert set(saved.data) == {"review", "cycle", "user"}
    assert not Mark.objects.exists()


def test_declining_while_signed_in_names_nobody(client, invited, user_factory, self_audit):
    _review, token = invited
    login(client, user_factory("someone-personal@elsewhere.example"))
    client.post(reverse("community_review:invitation", args=[token]), {"answer": "decline"})
    declined = AuditEvent.objects.get(action=AuditEvent.Action.REVIEW_DECLINED)
    assert declined.actor is None


def test_an_unanswered_invitation_is_forgotten_when_it_expires_or_its_address_is_deleted(
    client, invited, self_audit, admin, user_factory
):
    from home.retention import prune

    review, _token = invited
    Review.objects.filter(pk=review.pk).update(expires_at=timezone.now() - timedelta(days=1))
    assert prune()["unanswered invitations to review"] == 1
    review.refresh_from_db()
    assert review.status == Review.Status.ENDED and review.email == "" and review.token_hash == ""
    login(client, admin.user)
    page = client.get(reverse("assessment:cycle_detail", args=[self_audit.organization.slug, self_audit.id]))
    assert "Invitation expired, no answer" in page.content.decode()
    report = client.get(reverse("reports:cycle_report", args=[self_audit.organization.slug, self_audit.id]))
    assert "the invitation to review ended unanswered" in report.content.decode()
    # An invitation to an address whose account is deleted keeps the address no longer.
    _invite(client, admin, self_audit, email="second@swled.example.org")
    user_delete(user=user_factory("second@swled.example.org"))
    assert not Review.objects.filter(email__iexact="second@swled.example.org").exists()


def test_a_withdrawn_invitation_reads_as_withdrawn(client, invited, admin, self_audit):
    review, _token = invited
    login(client, admin.user)
    client.post(reverse("community_review:review_end", args=[self_audit.organization.slug, review.pk]))
    report = client.get(reverse("reports:cycle_report", args=[self_audit.organization.slug, self_audit.id]))
    assert "the organization withdrew the invitation on" in report.content.decode()
    page = client.get(reverse("assessment:cycle_detail", args=[self_audit.organization.slug, self_audit.id]))
    assert "Invitation withdrawn" in page.content.decode()


def test_a_later_invitation_does_not_hide_a_submitted_review(client, accepted, reviewer, self_audit, admin):
    login(client, reviewer)
    _post_review(client, accepted, _all_marks(self_audit), submit=True)
    login(client, admin.user)
    client.post(reverse("community_review:review_end", args=[self_audit.organization.slug, accepted.pk]))
    _invite(client, admin, self_audit, email="another@swled.example.org")
    later = Review.objects.get(email="another@swled.example.org")
    services.review_decline(token=_token_of(later))
    report = client.get(reverse("reports:cycle_report", args=[self_audit.organization.slug, self_audit.id]))
    text = report.content.decode()
    assert "Reviewed by Harbour Sex Workers Collective on" in text and "community review: matches" in text
    # Payment can still be recorded for the review the report speaks of.
    page = client.get(reverse("assessment:cycle_detail", args=[self_audit.organization.slug, self_audit.id]))
    assert f"/reviews/{accepted.pk}/paid/" in page.content.decode()


def test_a_note_counts_each_line_break_once(client, accepted, reviewer, self_audit):
    login(client, reviewer)
    first = review_entries(self_audit)[0].key
    note = ("a" * 99 + "\r\n") * 10  # 1,000 characters as the browser counts them, 1,010 as sent
    _post_review(client, accepted, {f"verdict-{first}": "differs", f"note-{first}": note}, submit=False)
    assert len(Mark.objects.get(review=accepted).note) == 999  # the last break is trimmed


def test_the_invitation_subject_is_not_html_escaped(client, admin, self_audit, django_capture_on_commit_callbacks):
    self_audit.organization.name = "Women's Health & Rights"
    self_audit.organization.save()
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, admin, self_audit)
    assert "Women's Health & Rights asks" in mail.outbox[-1].subject


def test_a_reviewer_who_joins_the_organization_no_longer_reviews_it(accepted, reviewer, self_audit):
    Membership.objects.create(user=reviewer, organization=self_audit.organization, role="staff")
    accepted.refresh_from_db()
    assert accepted.status == Review.Status.ENDED and accepted.ended_by == "organization"
