"""The audit log stores facts and is worded when read, in the reader's language."""

import uuid
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts import services
from accounts.audit import audit_entries
from accounts.models import AuditEvent, Invitation
from assessment.models import Cycle
from coalitions.models import Coalition
from tests.conftest import count_queries, login

Action = AuditEvent.Action
NOWHERE = str(uuid.uuid4())  # a questionnaire this database does not hold

# One event of every kind, with the facts its service records; ``SAM`` and ``SURVEY`` stand for ids.
SAM, INVITATION, SURVEY, COALITION, PLAN = "sam", "invitation", "survey", "coalition", "plan"
FACTS = {
    Action.ORG_CREATED: {},
    Action.SETTINGS_CHANGED: {"fields": ["require_mfa", "retention_years"]},
    Action.MEMBER_INVITED: {"invitation": INVITATION, "role": "staff"},
    Action.INVITATION_REVOKED: {"invitation": INVITATION, "role": "staff"},
    Action.MEMBER_JOINED: {"user": SAM, "role": "staff"},
    Action.ROLE_CHANGED: {"user": SAM, "previous": "staff", "role": "lead"},
    Action.MEMBER_REMOVED: {"user": NOWHERE},
    Action.CYCLE_OPENED: {"cycle": SURVEY, "mode": "staff"},
    Action.CYCLE_CLOSED: {"cycle": SURVEY, "mode": "staff"},
    Action.CYCLE_DELETED: {"cycle": NOWHERE, "mode": "staff", "reportable": True, "closed_on": "2026-04-01"},
    Action.LINKS_CREATED: {"cycle": SURVEY},
    Action.INVITATIONS_SENT: {"cycle": SURVEY, "invited": 3, "invited_in_all": 12},
    Action.INVITATIONS_REQUESTED: {"cycle": SURVEY, "invited": 1, "list": "l"},
    Action.INVITATIONS_APPROVED: {"cycle": SURVEY, "invited": 3, "invited_in_all": 3, "requested_by": SAM},
    Action.INVITATIONS_REFUSED: {"cycle": SURVEY, "invited": 2, "withdrawn": True},
    Action.REMINDERS_SENT: {"cycle": SURVEY, "step": 5, "invitees_at_least": 10, "members_at_least": 0},
    Action.SCHEDULE_CHANGED: {"mode": "staff", "month": 3, "weeks": 4},
    Action.TEAM_RESPONSE_EDITED: {"cycle": SURVEY},
    Action.TEAM_RESPONSE_SUBMITTED: {"cycle": SURVEY},
    Action.EXPORTED: {"cycle": SURVEY, "format": "csv"},
    Action.ACTION_CREATED: {"action": PLAN, "practice": "police-contact", "questionnaire": NOWHERE},
    Action.ACTION_UPDATED: {"action": PLAN, "practice": "police-contact", "changed": ["status", "due_on"]},
    Action.COALITION_JOINED: {"coalition": COALITION},
    Action.COALITION_WITHDRAWN: {"coalition": COALITION},
    Action.REVIEW_INVITED: {"review": NOWHERE, "cycle": SURVEY},
    Action.REVIEW_DECLINED: {"review": NOWHERE, "cycle": SURVEY},
    Action.REVIEW_ACCEPTED: {"review": NOWHERE, "cycle": SURVEY, "user": SAM, "named": True},
    Action.REVIEW_SAVED: {"review": NOWHERE, "cycle": SURVEY, "user": SAM},
    Action.REVIEW_SUBMITTED: {
        **{"review": NOWHERE, "cycle": SURVEY, "user": SAM},
        **{"marked": 20, "matches": 17, "differs": 2, "cannot_say": 1},
    },
    Action.REVIEW_ENDED: {
        **{"review": NOWHERE, "cycle": SURVEY, "side": "organization"},
        **{"submitted": True, "withdrawn": False},
    },
    Action.REVIEW_PAID: {"review": NOWHERE, "cycle": SURVEY, "paid": True},
}
# Events whose detail is only what people typed, the same in every language.
TYPED = {
    Action.ORG_CREATED,
    Action.CYCLE_OPENED,
    Action.CYCLE_CLOSED,
    Action.TEAM_RESPONSE_EDITED,
    Action.TEAM_RESPONSE_SUBMITTED,
    Action.EXPORTED,
    Action.COALITION_JOINED,
    Action.COALITION_WITHDRAWN,
    Action.ACTION_CREATED,
    Action.REVIEW_INVITED,
    Action.REVIEW_DECLINED,
}


def test_every_kind_of_event_has_its_facts_here():
    assert set(FACTS) == set(Action)


def _world(organization, user_factory, questionnaire) -> dict[str, str]:
    """The people and things the events name, by the ids standing in ``FACTS``."""
    invitation = Invitation.objects.create(
        organization=organization,
        email="kim@example.org",
        role="staff",
        token_hash="t" * 64,
        expires_at=timezone.now() + timedelta(days=14),
    )
    survey = Cycle.objects.create(
        organization=organization, questionnaire=questionnaire, label="2026 survey", mode="staff", opens_on=date.today()
    )
    return {
        SAM: str(user_factory("sam@example.org").pk),
        INVITATION: str(invitation.pk),
        SURVEY: str(survey.pk),
        COALITION: str(Coalition.objects.create(name="North Shore Coalition", slug="north-shore").pk),
    }


@pytest.mark.django_db
def test_each_event_is_worded_in_the_readers_language(org_factory, user_factory, questionnaire):
    organization = org_factory("Harbour Health")
    ids = _world(organization, user_factory, questionnaire)
    events = [
        AuditEvent(
            organization=organization,
            action=action,
            data={k: ids.get(v, v) if isinstance(v, str) else v for k, v in data.items()},
        )
        for action, data in FACTS.items()
    ]
    worded = {}
    for language in ("en", "fr", "zh-hans"):
        with translation.override(language):
            worded[language] = {entry.event.action: entry.detail for entry in audit_entries(events)}
    english = worded["en"]
    assert english[Action.ROLE_CHANGED] == "sam@example.org: Staff → Lead"
    assert english[Action.MEMBER_REMOVED] == "a deleted person"
    assert english[Action.INVITATIONS_SENT] == "3 invitations for 2026 survey; 12 invited in all"
    assert english[Action.INVITATIONS_REQUESTED] == "1 invitation for 2026 survey awaits another admin's approval"
    assert english[Action.INVITATIONS_APPROVED] == (
        "3 invitations for 2026 survey asked by sam@example.org approved; 3 invited in all"
    )
    assert english[Action.MEMBER_INVITED] == "kim@example.org as Staff"
    assert english[Action.CYCLE_DELETED] == "Anonymous staff survey, closed on April 1, 2026"
    assert english[Action.COALITION_JOINED] == "North Shore Coalition"
    assert english[Action.ORG_CREATED] == "Harbour Health"
    assert english[Action.REMINDERS_SENT] == "Reminded for 2026 survey: 10 or more invitees and fewer than 5 members"
    assert english[Action.SCHEDULE_CHANGED] == "Anonymous staff survey: opens in March for 4 weeks"
    assert english[Action.EXPORTED] == "2026 survey (CSV)"
    assert english[Action.REVIEW_SUBMITTED] == "2026 survey: 20 answers marked (17 match, 2 do not, 1 cannot say)"
    assert english[Action.REVIEW_ACCEPTED] == "sam@example.org, for 2026 survey"
    assert english[Action.REVIEW_ENDED] == "2026 survey, by the organization"
    for language in ("fr", "zh-hans"):
        for action, detail in worded[language].items():
            assert detail, (language, action)
            if action not in TYPED:
                assert detail != english[action], (language, action, detail)
    assert (
        worded["fr"][Action.SCHEDULE_CHANGED]
        == "Sondage anonyme du personnel\u00a0: ouverture en mars pendant 4 semaines"
    )
    assert worded["zh-hans"][Action.SETTINGS_CHANGED].count("、") == 1
    # A practice of a questionnaire since gone is named by its key.
    assert worded["fr"][Action.ACTION_CREATED] == "police-contact"


@pytest.mark.django_db
def test_the_members_page_words_the_log_in_the_readers_language(client, member_factory, questionnaire):
    admin = member_factory(role="admin")
    organization = admin.organization
    services.invitation_create(
        organization=organization, email="kim@example.org", role="lead", by=admin.user, accept_url_for=str
    )
    survey = Cycle.objects.create(
        organization=organization, questionnaire=questionnaire, label="2026 survey", mode="staff", opens_on=date.today()
    )
    services.audit(
        organization=organization,
        actor=admin.user,
        action=Action.INVITATIONS_SENT,
        data={"cycle": str(survey.pk), "invited": 1, "invited_in_all": 1},
    )
    login(client, admin.user)
    url = reverse("accounts:org_members", args=[organization.slug])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "1 invitation pour 2026 survey\u00a0; 1 au total" in page
    assert "kim@example.org, rôle Responsable" in page
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "2026 survey 的 1 份邀请；共邀请 1 人" in page


@pytest.mark.django_db
def test_an_address_or_a_name_planted_in_an_audit_call_is_refused(organization, admin):
    for planted in ({"email": admin.user.email}, {"label": "2026 staff survey"}, {"fields": ["a b"]}):
        with pytest.raises(ValueError, match="is not a fact"):
            services.audit(organization=organization, actor=admin.user, action=Action.MEMBER_INVITED, data=planted)
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_the_log_page_asks_the_same_queries_for_five_events_or_fifty(client, member_factory, user_factory):
    admin = member_factory(role="admin")
    login(client, admin.user)
    url = reverse("accounts:org_members", args=[admin.organization.slug])

    def add(count):
        for _ in range(count):
            person = user_factory()
            services.audit(
                organization=admin.organization,
                actor=admin.user,
                action=Action.ROLE_CHANGED,
                data={"user": str(person.pk), "previous": "staff", "role": "lead"},
            )

    add(5)
    client.get(url)  # the session's first request decides its two-factor requirement
    few = count_queries(client, url)
    add(45)
    assert count_queries(client, url) == few
