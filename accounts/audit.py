"""The audit log: facts when written, words when read.

An event stores facts under keys, never a sentence, a name or an address: ids (of the person,
invitation, audit, coalition or action it is about), counts, flags, dates and keys such as a role,
a setting or a practice. Its words are written when the log is read, in the reader's language,
and names and addresses are found then by id, so a deleted account, audit or invitation leaves
nothing of itself behind: the entry reads "a deleted person". This is how pretix's shredder and
zulip's audit log keep facts apart from what people typed.
"""

import re
from dataclasses import dataclass
from datetime import date

from django.apps import apps
from django.utils.dates import MONTHS
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _

from accounts.models import AuditEvent, Invitation, Membership, Organization, User
from config.dates import long_date

Action = AuditEvent.Action
Role = Membership.Role

# A fact is a number, a flag, nothing, or a short token: an id, a key, a date.
TOKEN = re.compile(r"[A-Za-z0-9_-]{1,60}")


@dataclass(frozen=True)
class Entry:
    event: AuditEvent
    what: str
    detail: str


def _what(event: AuditEvent) -> str:
    """The action's name, saying survey or self-audit where the event knows which (events recorded
    before the kind was kept say "audit")."""
    mode = event.data.get("mode")
    named: dict[tuple[str, str], str] = {
        (Action.CYCLE_OPENED, "staff"): _("Staff survey opened"),
        (Action.CYCLE_OPENED, "team"): _("Self-audit opened"),
        (Action.CYCLE_CLOSED, "staff"): _("Staff survey closed"),
        (Action.CYCLE_CLOSED, "team"): _("Self-audit closed"),
        (Action.CYCLE_DELETED, "staff"): _("Staff survey deleted"),
        (Action.CYCLE_DELETED, "team"): _("Self-audit deleted"),
    }
    return named.get((event.action, mode)) or event.get_action_display()


def check_facts(data: dict) -> None:
    """Refuse audit data that holds anything but facts: no address, name or sentence.

    >>> check_facts({"label": "2026 staff survey", "invited": 3})
    Traceback (most recent call last):
    ...
    ValueError: audit data 'label' is not a fact: '2026 staff survey'
    >>> check_facts({"user": "sam@example.org"})
    Traceback (most recent call last):
    ...
    ValueError: audit data 'user' is not a fact: 'sam@example.org'
    >>> check_facts({"fields": ["require_mfa"], "withdrawn": True, "closed_on": "2026-04-01", "list": None})
    """
    for key, value in data.items():
        for fact in value if isinstance(value, list) else [value]:
            if not (fact is None or isinstance(fact, bool | int) or (isinstance(fact, str) and TOKEN.fullmatch(fact))):
                raise ValueError(f"audit data {key!r} is not a fact: {fact!r}")


class _Known:
    """What the log's events name, found by id with one query per kind."""

    def __init__(self, events: list[AuditEvent]):
        def ids(*keys):
            return {str(e.data[k]) for e in events for k in keys if e.data.get(k)}

        def named(model, keys, field):
            wanted = ids(*keys)
            return {str(pk): name for pk, name in model.objects.filter(pk__in=wanted).values_list("pk", field)}

        # Found by name: the audit log sits below the apps whose rows it names.
        cycle, coalition = apps.get_model("assessment", "Cycle"), apps.get_model("coalitions", "Coalition")
        item = apps.get_model("assessment", "Item")
        self.people = named(User, ("user", "requested_by"), "email")
        self.invitations = named(Invitation, ("invitation",), "email")
        self.cycles = named(cycle, ("cycle",), "label")
        self.coalitions = named(coalition, ("coalition",), "name")
        self.practices: dict[tuple[str | None, str | None], str] = {}
        wanted = {(e.data.get("questionnaire"), e.data["practice"]) for e in events if e.data.get("practice")}
        if wanted:
            found = item.objects.filter(
                questionnaire_id__in={q for q, _ in wanted if q}, key__in={k for _, k in wanted}
            ).only("questionnaire_id", "key", "short", "text", "translations")
            language = get_language() or "en"
            for row in found:
                title = row.in_language().title
                if language != "en" and not row.translations.get(language, {}).get("short"):
                    title = _("%(short)s (English only)") % {"short": title}  # version 1 is English only
                self.practices[(str(row.questionnaire_id), row.key)] = title

    def person(self, data: dict) -> str:
        return self.people.get(data.get("user")) or _("a deleted person")

    def invited(self, data: dict) -> str:
        return self.invitations.get(data.get("invitation")) or _("an invitation since withdrawn")

    def cycle(self, data: dict) -> str:
        return self.cycles.get(data.get("cycle")) or _("a deleted audit")

    def practice(self, data: dict) -> str:
        return self.practices.get((data.get("questionnaire"), data.get("practice"))) or data.get("practice", "")


def _role(key: str | None) -> str:
    return str(Role(key).label) if key in Role.values else (key or "")


def _listed(words) -> str:
    return pgettext("list separator", ", ").join(str(word) for word in words)


def _stepped(at_least: int, step: int) -> str:
    """A count given in steps of the minimum, as the reminders record it."""
    if at_least < step:
        return _("fewer than %(step)s") % {"step": step}
    return _("%(count)s or more") % {"count": at_least}


def _field_names(model, names) -> str:
    fields = {field.name: field for field in model._meta.get_fields() if hasattr(field, "verbose_name")}
    return _listed(fields[name].verbose_name if name in fields else name for name in names)


def _deleted_audit(data: dict) -> str:
    cycle = apps.get_model("assessment", "Cycle")
    kind = cycle.Mode(data["mode"]).label if data.get("mode") in cycle.Mode.values else _("an audit")
    if data.get("closed_on"):
        closed_on = long_date(date.fromisoformat(data["closed_on"]))
        return _("%(kind)s, closed on %(date)s") % {"kind": kind, "date": closed_on}
    return str(kind)


def _invitations(action: str, data: dict, known: _Known) -> str:
    count, label = data.get("invited", 0), known.cycle(data)
    if action == Action.INVITATIONS_REQUESTED:
        message = ngettext(
            "%(count)s invitation for %(label)s awaits another admin's approval",
            "%(count)s invitations for %(label)s await another admin's approval",
            count,
        )
    elif action == Action.INVITATIONS_SENT:
        message = ngettext(
            "%(count)s invitation for %(label)s; %(total)s invited in all",
            "%(count)s invitations for %(label)s; %(total)s invited in all",
            count,
        )
    elif action == Action.INVITATIONS_APPROVED:
        message = ngettext(
            "%(count)s invitation for %(label)s asked by %(person)s approved; %(total)s invited in all",
            "%(count)s invitations for %(label)s asked by %(person)s approved; %(total)s invited in all",
            count,
        )
    elif data.get("withdrawn"):
        message = ngettext(
            "%(count)s invitation for %(label)s withdrawn", "%(count)s invitations for %(label)s withdrawn", count
        )
    else:
        message = ngettext(
            "%(count)s invitation for %(label)s refused", "%(count)s invitations for %(label)s refused", count
        )
    asked_by = known.people.get(data.get("requested_by")) or _("a former member")
    return message % {"count": count, "label": label, "person": asked_by, "total": data.get("invited_in_all", count)}


INVITATION_ACTIONS = {
    Action.INVITATIONS_REQUESTED,
    Action.INVITATIONS_SENT,
    Action.INVITATIONS_APPROVED,
    Action.INVITATIONS_REFUSED,
}
CYCLE_ACTIONS = {Action.CYCLE_OPENED, Action.CYCLE_CLOSED, Action.TEAM_RESPONSE_EDITED, Action.TEAM_RESPONSE_SUBMITTED}


REVIEW_ACTIONS = {
    Action.REVIEW_INVITED,
    Action.REVIEW_DECLINED,
    Action.REVIEW_ACCEPTED,
    Action.REVIEW_SAVED,
    Action.REVIEW_SUBMITTED,
    Action.REVIEW_ENDED,
    Action.REVIEW_PAID,
}


def _review(action: str, data: dict, known: _Known) -> str:
    """A step of a community review of a self-audit; the reviewer is named by id, as people are."""
    label = known.cycle(data)
    if action == Action.REVIEW_SUBMITTED:
        marked = data.get("marked", 0)
        return ngettext(
            "%(label)s: %(count)s answer marked (%(matches)s match, %(differs)s do not, %(cannot)s cannot say)",
            "%(label)s: %(count)s answers marked (%(matches)s match, %(differs)s do not, %(cannot)s cannot say)",
            marked,
        ) % {
            "label": label,
            "count": marked,
            "matches": data.get("matches", 0),
            "differs": data.get("differs", 0),
            "cannot": data.get("cannot_say", 0),
        }
    if action in (Action.REVIEW_ACCEPTED, Action.REVIEW_SAVED):
        return _("%(person)s, for %(label)s") % {"person": known.person(data), "label": label}
    if action == Action.REVIEW_ENDED:
        side = data.get("side")
        if data.get("withdrawn") and side == "organization":
            return _("%(label)s: the invitation was withdrawn") % {"label": label}
        if side == "reviewer":
            return _("%(label)s, by the reviewer") % {"label": label}
        if side == "organization":
            return _("%(label)s, by the organization") % {"label": label}
        return _("%(label)s: the invitation ended unanswered") % {"label": label}
    if action == Action.REVIEW_PAID:
        if data.get("paid"):
            return _("%(label)s: the reviewer was paid") % {"label": label}
        return _("%(label)s: the reviewer was not paid") % {"label": label}
    return label


def _sentence(event: AuditEvent, known: _Known) -> str:
    data, action = event.data, event.action
    if action == Action.ORG_CREATED:
        return event.organization.name
    if action == Action.SETTINGS_CHANGED:
        return _field_names(Organization, data.get("fields", []))
    if action == Action.ROLE_CHANGED:
        return _("%(person)s: %(previous)s → %(role)s") % {
            "person": known.person(data),
            "previous": _role(data.get("previous")),
            "role": _role(data.get("role")),
        }
    if action in (Action.MEMBER_INVITED, Action.MEMBER_JOINED):
        person = known.invited(data) if action == Action.MEMBER_INVITED else known.person(data)
        if "role" not in data:
            return person
        return _("%(person)s as %(role)s") % {"person": person, "role": _role(data["role"])}
    if action == Action.INVITATION_REVOKED:
        if "role" not in data:
            return known.invited(data)
        return _("an invitation as %(role)s") % {"role": _role(data["role"])}
    if action == Action.MEMBER_REMOVED:
        return known.person(data)
    if action in CYCLE_ACTIONS:
        return known.cycle(data)
    if action == Action.CYCLE_DELETED:
        return _deleted_audit(data)
    if action in INVITATION_ACTIONS:
        return _invitations(action, data, known)
    if action == Action.LINKS_CREATED:
        return _("Shared link for %(label)s") % {"label": known.cycle(data)}
    if action == Action.REMINDERS_SENT:
        step = data.get("step", 0)
        return _("Reminded for %(label)s: %(invitees)s invitees and %(members)s members") % {
            "label": known.cycle(data),
            "invitees": _stepped(data.get("invitees_at_least", 0), step),
            "members": _stepped(data.get("members_at_least", 0), step),
        }
    if action == Action.SCHEDULE_CHANGED:
        cycle = apps.get_model("assessment", "Cycle")
        weeks = data.get("weeks", 0)
        return ngettext(
            "%(mode)s: opens in %(month)s for %(weeks)s week",
            "%(mode)s: opens in %(month)s for %(weeks)s weeks",
            weeks,
        ) % {"mode": cycle.Mode(data["mode"]).label, "month": MONTHS.get(data.get("month"), ""), "weeks": weeks}
    if action == Action.EXPORTED:
        return f"{known.cycle(data)} ({data.get('format', '').upper()})"
    if action == Action.ACTION_CREATED:
        return known.practice(data)
    if action == Action.ACTION_UPDATED:
        return _("%(practice)s: %(fields)s changed") % {
            "practice": known.practice(data),
            "fields": _field_names(apps.get_model("reports", "Action"), data.get("changed", [])),
        }
    if action in REVIEW_ACTIONS:
        return _review(action, data, known)
    if action in (Action.COALITION_JOINED, Action.COALITION_WITHDRAWN):
        return known.coalitions.get(data.get("coalition")) or _("a deleted coalition")
    return ""


def audit_entries(events) -> list[Entry]:
    """Return each event with its detail in the active language, naming what it is about with one
    query per kind (people, invitations, audits, coalitions, practices), so a long log stays flat."""
    events = list(events)
    known = _Known(events)
    return [Entry(event, _what(event), _sentence(event, known)) for event in events]
