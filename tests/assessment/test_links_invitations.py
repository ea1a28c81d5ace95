"""Invitations and reminders cannot single out a staff respondent.

Each test plays an adversary of docs/PRIVACY.md: a database holder reading the task table, or a
lead who reads reminder counts, invites a member's address, or pads a survey with addresses of
their own.
"""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client, TestCase
from django.urls import reverse

from accounts import services as account_services
from accounts.audit import audit_entries
from accounts.models import AuditEvent, Membership, User
from assessment.models import InvitedAddress, MemberReminder, RespondentLink
from assessment.services.cycles import CYCLE_ALREADY_CLOSED_MESSAGE, cycle_close
from assessment.services.links import (
    LIST_GONE_MESSAGE,
    OWN_LIST_MESSAGE,
    InvitationProblems,
    invitations_approve,
    invitations_refuse,
    invitations_send,
    link_redeem,
    reminders_send,
)
from assessment.services.responding import member_response_start
from tests.conftest import full_answers, invitation_tokens, invite, login, submit_through_link

Role = Membership.Role


def _on_commit():
    return TestCase.captureOnCommitCallbacks(execute=True)


# 1. A database holder reads the task table.


@pytest.mark.django_db(transaction=True)  # the worker runs in its own transactions
def test_task_rows_name_no_person_link_or_address(task_queue, monkeypatch, lead, staff, organization, staff_cycle):
    """Invitations, a failed attempt, its retry and a reminder round: no stored task names anyone,
    on the database queue or on Redis."""
    from django.core.mail.backends.locmem import EmailBackend

    addresses = ["a@example.org", "b@example.org", "c@example.org"]
    invitations_send(cycle=staff_cycle, by=lead.user, addresses=addresses, site_url="")
    link_ids = {str(pk) for pk in RespondentLink.objects.values_list("pk", flat=True)}
    original = EmailBackend.send_messages

    def broken(self, messages):
        raise ConnectionError("mail server down")

    monkeypatch.setattr(EmailBackend, "send_messages", broken)
    task_queue.work()
    assert not mail.outbox
    monkeypatch.setattr(EmailBackend, "send_messages", original)
    task_queue.make_retries_due()
    task_queue.work()
    assert sorted(m.to[0] for m in mail.outbox) == addresses  # the retry found its recipients on the rows
    tokens = invitation_tokens(mail.outbox)
    link_redeem(token=tokens[0])  # a@ starts
    member_response_start(cycle=staff_cycle, user=staff.user)
    reminders_send(cycle=staff_cycle, by=lead.user, message="Please", site_url="")
    task_queue.work()
    reminded = {m.to[0] for m in mail.outbox[3:]}
    assert reminded == {"b@example.org", "c@example.org", lead.user.email, *organization_admins(organization)}

    names = set(addresses) | link_ids | set(tokens)
    for user in User.objects.all():
        names |= {str(user.pk), user.pk.hex, user.email}
    stored = task_queue.stored()
    assert len(stored) == 3  # the invitations, their retry, the reminders
    for text in stored:
        assert not [name for name in names if name in text], text
    assert not MemberReminder.objects.filter(is_due=True).exists()
    assert not RespondentLink.objects.filter(reminder_due=True).exists()


@pytest.mark.django_db(transaction=True)
def test_an_invitation_the_mail_server_keeps_refusing_is_shown_failed_after_three_attempts_on_the_queue(
    task_queue, monkeypatch, client, lead, staff_cycle
):
    from django.core.mail.backends.locmem import EmailBackend

    calls = []

    def broken(self, messages):
        calls.append(messages[0].to[0])
        raise ConnectionError("mail server down")

    monkeypatch.setattr(EmailBackend, "send_messages", broken)
    invitations_send(cycle=staff_cycle, by=lead.user, addresses=["a@example.org"], site_url="")
    task_queue.work()
    for _attempt in (2, 3):
        assert RespondentLink.objects.get().delivery == RespondentLink.Delivery.PENDING
        task_queue.make_retries_due()
        task_queue.work()
    assert calls == 3 * ["a@example.org"]
    assert RespondentLink.objects.get().delivery == RespondentLink.Delivery.FAILED
    task_queue.make_retries_due()
    task_queue.work()
    assert len(calls) == 3  # no fourth attempt
    login(client, lead.user)
    assert 'id="failed-deliveries"' in client.get(staff_cycle.get_absolute_url()).content.decode()


def test_a_failing_reminder_is_tried_three_times_and_leaves_the_earlier_link_working(
    client, monkeypatch, admin, lead, staff_cycle
):
    """Were failed reminders counted, a mail outage would make the count of failures the exact
    number of invitees who had not started, dropping by one as each of them starts."""
    from django.core.mail.backends.locmem import EmailBackend

    tokens = invite(staff_cycle, lead.user, ["a@example.org", "b@example.org"])
    calls = []

    def broken(self, messages):
        calls.append(messages[0].to[0])
        raise ConnectionError("mail server down")

    monkeypatch.setattr(EmailBackend, "send_messages", broken)
    with _on_commit():
        reminders_send(cycle=staff_cycle, by=lead.user, message="", site_url="")
    assert sorted(calls) == sorted(3 * ["a@example.org", "b@example.org", lead.user.email, admin.user.email])
    assert not RespondentLink.objects.filter(reminder_due=True).exists()
    assert not MemberReminder.objects.filter(is_due=True).exists()
    login(client, lead.user)
    monkeypatch.undo()
    link_redeem(token=tokens[0])  # the invitation's link still works
    assert 'id="failed-deliveries"' not in client.get(staff_cycle.get_absolute_url()).content.decode()


def organization_admins(organization) -> set[str]:
    return set(organization.memberships.filter(role=Role.ADMIN).values_list("user__email", flat=True))


# 2. A lead reads exact reminder counts.


def test_reminder_counts_come_in_steps_of_the_minimum(client, lead, staff, organization, staff_cycle):
    """7 invited, 2 started: exact counts ("5 invitees reminded") would tell the lead that 2 started."""
    tokens = invite(staff_cycle, lead.user, [f"p{n}@example.org" for n in range(7)])
    for token in tokens[:2]:
        link_redeem(token=token)
    member_response_start(cycle=staff_cycle, user=staff.user)  # admin and lead have not started
    login(client, lead.user)
    with _on_commit():
        page = client.post(
            reverse("assessment:reminders_create", args=[organization.slug, staff_cycle.id]),
            {"message": ""},
            follow=True,
        ).content.decode()
    assert "Reminders are on their way: 3 or more invited addresses, fewer than 3 members." in page
    event = AuditEvent.objects.get(action=AuditEvent.Action.REMINDERS_SENT)
    assert event.data == {
        "cycle": str(staff_cycle.pk),
        "step": 3,
        "invitees_at_least": 3,
        "members_at_least": 0,
    }
    assert audit_entries([event])[0].detail == "Reminded for staff audit: 3 or more invitees and fewer than 3 members"
    assert len(mail.outbox) == 7 + 5 + 2  # the emails themselves still go to everyone who has not started


def test_nobody_left_to_remind_reads_like_a_few(client, lead, staff, organization, staff_cycle):
    """ "Nobody is left" would be an exact zero: everyone started."""
    for member in (lead, staff, *organization.memberships.filter(role=Role.ADMIN)):
        member_response_start(cycle=staff_cycle, user=member.user)
    login(client, lead.user)
    page = client.post(
        reverse("assessment:reminders_create", args=[organization.slug, staff_cycle.id]), {"message": ""}, follow=True
    ).content.decode()
    assert "Reminders are on their way: fewer than 3 invited addresses, fewer than 3 members." in page


# 3. A lead invites a member's address: one person, two answers.


def test_a_members_address_cannot_be_invited(lead, staff, organization, staff_cycle, user_factory):
    EmailAddress.objects.create(user=staff.user, email="Staff.Private@Example.org", verified=False)
    account_services.invitation_create(
        organization=organization, email="joining@example.org", role="staff", by=lead.user, accept_url_for=str
    )
    mail.outbox.clear()
    stranger = user_factory()  # an account, but not a member: invited as anyone else
    addresses = [staff.user.email.upper(), "staff.private@example.org", "JOINING@example.org", stranger.email]
    with pytest.raises(InvitationProblems) as error:
        invitations_send(cycle=staff_cycle, by=lead.user, addresses=addresses, site_url="")
    reasons = {problem.address: problem.reason for problem in error.value.problems}
    assert reasons == {
        staff.user.email.upper(): "belongs to a member of this organization: they answer when signed in",
        "staff.private@example.org": "belongs to a member of this organization: they answer when signed in",
        "JOINING@example.org": "invited to join this organization: they answer when signed in",
    }
    assert not RespondentLink.objects.exists() and not mail.outbox


# 4. A lead pads a survey with addresses of their own.


@pytest.fixture
def second_admin(member_factory, organization):
    return member_factory(organization, Role.ADMIN)


def _awaiting_list(cycle) -> str:
    awaiting = RespondentLink.objects.filter(cycle=cycle, delivery="awaiting")
    return str(awaiting.values_list("approval_list", flat=True)[0])


def _url(name, cycle, list_id):
    return reverse(f"assessment:{name}", args=[cycle.organization.slug, cycle.id, list_id])


PADDED = ["me.alias@example.org", "me.other@example.org", "colleague@example.org"]


def test_with_two_admins_invitations_wait_for_another_admins_approval(
    client, admin, second_admin, lead, organization, staff_cycle
):
    login(client, lead.user)
    with _on_commit():
        page = client.post(
            reverse("assessment:invitations_create", args=[organization.slug, staff_cycle.id]),
            {"addresses": "\n".join(PADDED)},
            follow=True,
        ).content.decode()
    assert not [m for m in mail.outbox if m.to[0] in PADDED], "the lead's list went out unchecked"
    assert "3 addresses wait for an admin other than you to approve them" in page
    # Both admins are told, with a link to the list; nobody else.
    told = sorted(m.to[0] for m in mail.outbox)
    assert told == sorted([admin.user.email, second_admin.user.email])
    list_id = _awaiting_list(staff_cycle)
    assert _url("invitations_review", staff_cycle, list_id) in mail.outbox[0].body
    staff_cycle.refresh_from_db()
    assert staff_cycle.invited_count == 0
    requested = AuditEvent.objects.get(action=AuditEvent.Action.INVITATIONS_REQUESTED)
    assert requested.data == {"cycle": str(staff_cycle.pk), "invited": 3, "list": list_id}
    # The admin sees the list waiting on the dashboard and the survey page, and reviews it.
    login(client, admin.user)
    for url in (organization.get_absolute_url(), staff_cycle.get_absolute_url()):
        assert _url("invitations_review", staff_cycle, list_id) in client.get(url).content.decode()
    review = client.get(_url("invitations_review", staff_cycle, list_id)).content.decode()
    assert all(address in review for address in PADDED) and lead.user.email in review
    # Nothing but the addresses and who asked: no count of answers, nothing of who started.
    shown = [text for text in ('id="response-count"', 'id="response-rate"', "responses", "started") if text in review]
    assert not shown
    mail.outbox.clear()
    with _on_commit():
        client.post(_url("invitations_approve", staff_cycle, list_id))
    assert sorted(m.to[0] for m in mail.outbox) == sorted(PADDED) and len(invitation_tokens(mail.outbox)) == 3
    staff_cycle.refresh_from_db()
    assert staff_cycle.invited_count == 3
    assert not RespondentLink.objects.filter(requested_by__isnull=False).exists()
    approved = AuditEvent.objects.get(action=AuditEvent.Action.INVITATIONS_APPROVED)
    assert approved.actor == admin.user and approved.data["invited"] == 3
    assert approved.data["requested_by"] == str(lead.user.pk) and lead.user.email not in str(approved.data)
    assert audit_entries([approved])[0].detail == (
        f"3 invitations for staff audit asked by {lead.user.email} approved; 3 invited in all"
    )
    assert client.get(_url("invitations_review", staff_cycle, list_id)).status_code == 404


def test_the_requester_cannot_approve_their_own_list(client, admin, second_admin, staff_cycle):
    with _on_commit():
        invitations_send(cycle=staff_cycle, by=admin.user, addresses=PADDED, site_url="")
    list_id = _awaiting_list(staff_cycle)
    assert {m.to[0] for m in mail.outbox} == {second_admin.user.email}  # not the requester
    mail.outbox.clear()
    login(client, admin.user)
    review = client.get(_url("invitations_review", staff_cycle, list_id)).content.decode()
    assert _url("invitations_approve", staff_cycle, list_id) not in review
    with _on_commit():
        page = client.post(_url("invitations_approve", staff_cycle, list_id), follow=True).content.decode()
    assert str(OWN_LIST_MESSAGE) in page
    assert not mail.outbox and RespondentLink.objects.filter(delivery="awaiting").count() == 3
    login(client, second_admin.user)
    with _on_commit():
        client.post(_url("invitations_approve", staff_cycle, list_id))
    assert sorted(m.to[0] for m in mail.outbox) == sorted(PADDED)


def test_a_lead_of_another_organization_or_another_lead_gets_404(
    client, lead, second_admin, staff, organization, staff_cycle, member_factory, org_factory
):
    invitations_send(cycle=staff_cycle, by=lead.user, addresses=PADDED, site_url="")
    list_id = _awaiting_list(staff_cycle)
    for person in (member_factory(org_factory(), Role.LEAD), member_factory(org_factory(), Role.ADMIN), staff):
        login(client, person.user)
        assert client.get(_url("invitations_review", staff_cycle, list_id)).status_code == 404
        assert client.post(_url("invitations_approve", staff_cycle, list_id)).status_code == 404
        assert client.post(_url("invitations_refuse", staff_cycle, list_id)).status_code == 404
    other_lead = member_factory(organization, Role.LEAD)
    login(client, other_lead.user)
    assert client.post(_url("invitations_refuse", staff_cycle, list_id)).status_code == 404
    assert RespondentLink.objects.filter(delivery="awaiting").count() == 3


def test_refusing_deletes_the_list(client, lead, second_admin, staff_cycle):
    invitations_send(cycle=staff_cycle, by=lead.user, addresses=PADDED, site_url="")
    list_id = _awaiting_list(staff_cycle)
    mail.outbox.clear()
    login(client, second_admin.user)
    with _on_commit():
        client.post(_url("invitations_refuse", staff_cycle, list_id))
    assert not mail.outbox
    assert not RespondentLink.objects.exists() and not InvitedAddress.objects.exists()
    refused = AuditEvent.objects.get(action=AuditEvent.Action.INVITATIONS_REFUSED)
    assert refused.actor == second_admin.user and refused.data["invited"] == 3
    assert not any(address in str(refused.data) for address in PADDED)
    assert audit_entries([refused])[0].detail == "3 invitations for staff audit refused"
    # The addresses may be asked for again, and the requester may withdraw a list of their own.
    invitations_send(cycle=staff_cycle, by=lead.user, addresses=PADDED[2:], site_url="")
    login(client, lead.user)
    client.post(_url("invitations_refuse", staff_cycle, _awaiting_list(staff_cycle)))
    assert not RespondentLink.objects.exists()


def test_lists_awaiting_approval_get_no_reminders_and_go_at_close(lead, second_admin, staff_cycle):
    invitations_send(cycle=staff_cycle, by=lead.user, addresses=PADDED, site_url="")
    mail.outbox.clear()
    with _on_commit():
        reminders_send(cycle=staff_cycle, by=lead.user, message="", site_url="")
    assert not [m for m in mail.outbox if m.to[0] in PADDED]
    assert not RespondentLink.objects.filter(reminders_sent__gt=0).exists()
    list_id = _awaiting_list(staff_cycle)
    cycle_close(cycle=staff_cycle, by=lead.user)
    assert not RespondentLink.objects.exists() and not InvitedAddress.objects.exists()
    with pytest.raises(ValidationError) as error:
        invitations_approve(cycle=staff_cycle, list_id=list_id, by=second_admin.user, site_url="")
    assert error.value.messages == [str(CYCLE_ALREADY_CLOSED_MESSAGE)]
    with pytest.raises(ValidationError) as error:
        invitations_refuse(cycle=staff_cycle, list_id=list_id, by=second_admin.user)
    assert error.value.messages == [str(LIST_GONE_MESSAGE)]


ONE_PERSON = "One person controlled who was invited"


def test_one_person_holding_every_role_is_said_on_the_pages_the_emails_and_the_report(
    client, member_factory, org_factory, cycle_factory, questionnaire
):
    organization = org_factory()
    sole = member_factory(organization, Role.ADMIN)
    member_factory(organization, Role.STAFF)
    cycle = cycle_factory(organization=organization, min_responses=3)
    login(client, sole.user)
    assert "you alone control who is invited" in client.get(cycle.get_absolute_url()).content.decode()
    tokens = invite(cycle, sole.user, [f"p{n}@example.org" for n in range(3)])
    assert len(tokens) == 3 and all(ONE_PERSON in m.body for m in mail.outbox)
    assert ONE_PERSON in client.get(cycle.get_absolute_url()).content.decode()
    assert ONE_PERSON in Client().get(reverse("assessment:link_landing", args=[tokens[0]])).content.decode()
    for token in tokens:
        submit_through_link(token, full_answers(questionnaire))
    cycle_close(cycle=cycle, by=sole.user)
    report = client.get(reverse("reports:cycle_report", args=[organization.slug, cycle.id])).content.decode()
    assert ONE_PERSON in report


def test_an_admin_and_a_lead_share_the_invitations_without_the_notice(client, admin, lead, staff_cycle):
    tokens = invite(staff_cycle, lead.user, ["x@example.org"])
    assert tokens and ONE_PERSON not in mail.outbox[0].body
    login(client, lead.user)
    page = client.get(staff_cycle.get_absolute_url()).content.decode()
    assert ONE_PERSON not in page and "you alone control" not in page
