"""The audit log stores facts and is worded when read, in the reader's language."""

import uuid

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.audit import audit_entries
from accounts.models import AuditEvent
from tests.conftest import login

Action = AuditEvent.Action
NOWHERE = str(uuid.uuid4())  # a questionnaire this database does not hold

# One event of every kind, with the facts its service records.
FACTS = {
    Action.ORG_CREATED: {"name": "Harbour Health"},
    Action.SETTINGS_CHANGED: {"fields": ["require_mfa", "retention_years"]},
    Action.MEMBER_INVITED: {"email": "sam@example.org", "role": "staff"},
    Action.INVITATION_REVOKED: {"email": "sam@example.org"},
    Action.MEMBER_JOINED: {"email": "sam@example.org", "role": "staff"},
    Action.ROLE_CHANGED: {"email": "sam@example.org", "previous": "staff", "role": "lead"},
    Action.MEMBER_REMOVED: {"email": None},
    Action.CYCLE_OPENED: {"cycle": "c", "label": "2026 survey"},
    Action.CYCLE_CLOSED: {"cycle": "c", "label": "2026 survey"},
    Action.CYCLE_DELETED: {"cycle": "c", "label": "2026 survey", "mode": "staff", "reportable": False},
    Action.LINKS_CREATED: {"cycle": "c", "label": "2026 survey"},
    Action.INVITATIONS_SENT: {"cycle": "c", "label": "2026 survey", "invited": 3, "invited_in_all": 12},
    Action.INVITATIONS_REQUESTED: {"cycle": "c", "label": "2026 survey", "invited": 1, "list": "l"},
    Action.INVITATIONS_APPROVED: {"cycle": "c", "label": "2026 survey", "invited": 3, "invited_in_all": 3},
    Action.INVITATIONS_REFUSED: {"cycle": "c", "label": "2026 survey", "invited": 2, "withdrawn": True},
    Action.REMINDERS_SENT: {"cycle": "c", "label": "2026 survey", "step": 5, "invitees_at_least": 10},
    Action.SCHEDULE_CHANGED: {"mode": "staff", "month": 3, "weeks": 4},
    Action.TEAM_RESPONSE_EDITED: {"cycle": "c", "label": "2026 self-audit"},
    Action.TEAM_RESPONSE_SUBMITTED: {"cycle": "c", "label": "2026 self-audit"},
    Action.EXPORTED: {"cycle": "c", "label": "2026 survey", "format": "csv"},
    Action.ACTION_CREATED: {"action": "a", "practice": "police-contact", "questionnaire": NOWHERE, "short": "Police"},
    Action.ACTION_UPDATED: {"action": "a", "practice": "p", "short": "Police", "changed": ["status", "due_on"]},
    Action.COALITION_JOINED: {"coalition": "x", "name": "North Shore Coalition"},
    Action.COALITION_WITHDRAWN: {"coalition": "x", "name": "North Shore Coalition"},
}
# Events whose detail is only what people typed, the same in every language.
TYPED = {
    Action.ORG_CREATED,
    Action.CYCLE_OPENED,
    Action.CYCLE_CLOSED,
    Action.CYCLE_DELETED,
    Action.TEAM_RESPONSE_EDITED,
    Action.TEAM_RESPONSE_SUBMITTED,
    Action.EXPORTED,
    Action.COALITION_JOINED,
    Action.COALITION_WITHDRAWN,
    Action.INVITATION_REVOKED,
}


def test_every_kind_of_event_has_its_facts_here():
    assert set(FACTS) == set(Action)


@pytest.mark.django_db
def test_each_event_is_worded_in_the_readers_language(org_factory):
    organization = org_factory("Harbour Health")
    events = [AuditEvent(organization=organization, action=action, data=data) for action, data in FACTS.items()]
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
        "3 invitations for 2026 survey asked by a former member approved; 3 invited in all"
    )
    assert english[Action.REMINDERS_SENT] == "Reminded for 2026 survey: 10 or more invitees and fewer than 5 members"
    assert english[Action.SCHEDULE_CHANGED] == "Anonymous staff survey: opens in March for 4 weeks"
    assert english[Action.EXPORTED] == "2026 survey (CSV)"
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
    # A practice the questionnaire does not word in the reader's language says so.
    assert worded["fr"][Action.ACTION_CREATED] == "Police (en anglais seulement)"


@pytest.mark.django_db
def test_the_members_page_words_the_log_in_the_readers_language(client, member_factory):
    admin = member_factory(role="admin")
    AuditEvent.objects.create(
        organization=admin.organization,
        actor=admin.user,
        action=Action.INVITATIONS_SENT,
        data={"cycle": "c", "label": "2026 survey", "invited": 1, "invited_in_all": 1},
    )
    AuditEvent.objects.create(  # recorded before the log was structured: shown as it was written
        organization=admin.organization, actor=admin.user, action=Action.CYCLE_CLOSED, data={"note": "2025 survey"}
    )
    login(client, admin.user)
    url = reverse("accounts:org_members", args=[admin.organization.slug])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "1 invitation pour 2026 survey\u00a0; 1 au total" in page and "2025 survey" in page
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "2026 survey 的 1 份邀请；共邀请 1 人" in page
