"""The audit log in the reader's language.

An event stores facts, never sentences: ids, counts, the names people typed (an audit's label, a
coalition's name, an address) and keys such as a role or a practice. Its sentence is written when
the log is read, in the reader's language, so an admin reading in French never meets the English of
the day the event was recorded. Events recorded before the log was structured keep their old text
under ``data["note"]`` and show it as it was written.
"""

from dataclasses import dataclass

from django.apps import apps
from django.utils.dates import MONTHS
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _

from accounts.models import AuditEvent, Membership, Organization, User

Action = AuditEvent.Action


@dataclass(frozen=True)
class Entry:
    event: AuditEvent
    what: str
    detail: str


def _what(event: AuditEvent) -> str:
    """The action's name, saying survey or self-audit where the event knows which (events recorded
    before the kind was kept say "audit")."""
    mode = event.data.get("mode")
    named = {
        (Action.CYCLE_OPENED, "staff"): _("Staff survey opened"),
        (Action.CYCLE_OPENED, "team"): _("Self-audit opened"),
        (Action.CYCLE_CLOSED, "staff"): _("Staff survey closed"),
        (Action.CYCLE_CLOSED, "team"): _("Self-audit closed"),
        (Action.CYCLE_DELETED, "staff"): _("Staff survey deleted"),
        (Action.CYCLE_DELETED, "team"): _("Self-audit deleted"),
    }
    return named.get((event.action, mode)) or event.get_action_display()


def _listed(words) -> str:
    return pgettext("list separator", ", ").join(str(word) for word in words)


def _person(email: str | None) -> str:
    return email or _("a deleted person")


def _stepped(at_least: int, step: int) -> str:
    """A count given in steps of the minimum, as the reminders record it."""
    if at_least < step:
        return _("fewer than %(step)s") % {"step": step}
    return _("%(count)s or more") % {"count": at_least}


def _field_names(model, names) -> str:
    fields = {field.name: field for field in model._meta.get_fields() if hasattr(field, "verbose_name")}
    return _listed(fields[name].verbose_name if name in fields else name for name in names)


def _practice(data: dict, wording: dict) -> str:
    """The practice's short title in the reader's language, else as saved, marked as English."""
    shown = wording.get((data.get("questionnaire"), data.get("practice")))
    if shown is None and (get_language() or "en") != "en":
        return _("%(short)s (English only)") % {"short": data.get("short", "")}
    return shown or data.get("short", "")


def _sentence(event: AuditEvent, wording: dict, people: dict) -> str:
    data = event.data
    if "note" in data:
        return data["note"]
    action, label = event.action, data.get("label", "")
    count = data.get("invited", 0)
    if action == Action.ORG_CREATED:
        return data.get("name", "")
    if action == Action.SETTINGS_CHANGED:
        return _field_names(Organization, data.get("fields", []))
    if action == Action.ROLE_CHANGED:
        return _("%(person)s: %(previous)s → %(role)s") % {
            "person": _person(data.get("email")),
            "previous": Membership.Role(data["previous"]).label,
            "role": Membership.Role(data["role"]).label,
        }
    if action in (Action.MEMBER_INVITED, Action.MEMBER_JOINED):
        return _("%(person)s as %(role)s") % {
            "person": _person(data.get("email")),
            "role": Membership.Role(data["role"]).label,
        }
    if action in (Action.MEMBER_REMOVED, Action.INVITATION_REVOKED):
        return _person(data.get("email"))
    if action == Action.INVITATIONS_REQUESTED:
        return ngettext(
            "%(count)s invitation for %(label)s awaits another admin's approval",
            "%(count)s invitations for %(label)s await another admin's approval",
            count,
        ) % {"count": count, "label": label}
    if action == Action.INVITATIONS_SENT:
        return ngettext(
            "%(count)s invitation for %(label)s; %(total)s invited in all",
            "%(count)s invitations for %(label)s; %(total)s invited in all",
            count,
        ) % {"count": count, "label": label, "total": data.get("invited_in_all", count)}
    if action == Action.INVITATIONS_APPROVED:
        return ngettext(
            "%(count)s invitation for %(label)s asked by %(person)s approved; %(total)s invited in all",
            "%(count)s invitations for %(label)s asked by %(person)s approved; %(total)s invited in all",
            count,
        ) % {
            "count": count,
            "label": label,
            "person": people.get(data.get("requested_by")) or _("a former member"),
            "total": data.get("invited_in_all", count),
        }
    if action == Action.INVITATIONS_REFUSED:
        if data.get("withdrawn"):
            message = ngettext(
                "%(count)s invitation for %(label)s withdrawn", "%(count)s invitations for %(label)s withdrawn", count
            )
        else:
            message = ngettext(
                "%(count)s invitation for %(label)s refused", "%(count)s invitations for %(label)s refused", count
            )
        return message % {"count": count, "label": label}
    if action == Action.LINKS_CREATED:
        return _("Shared link for %(label)s") % {"label": label}
    if action == Action.REMINDERS_SENT:
        step = data.get("step", 0)
        return _("Reminded for %(label)s: %(invitees)s invitees and %(members)s members") % {
            "label": label,
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
        ) % {"mode": cycle.Mode(data["mode"]).label, "month": MONTHS[data["month"]], "weeks": weeks}
    if action == Action.EXPORTED:
        return f"{label} ({data.get('format', '').upper()})"
    if action == Action.ACTION_CREATED:
        return _practice(data, wording)
    if action == Action.ACTION_UPDATED:
        plan = apps.get_model("reports", "Action")
        return _("%(practice)s: %(fields)s changed") % {
            "practice": _practice(data, wording),
            "fields": _field_names(plan, data.get("changed", [])),
        }
    if action in (Action.COALITION_JOINED, Action.COALITION_WITHDRAWN):
        return data.get("name", "")
    return label


def audit_entries(events) -> list[Entry]:
    """Return each event with its detail in the active language: one query names the practices,
    one the people who asked for invitations (read now, so a deleted account is "a former member")."""
    events = list(events)
    wanted = {(e.data.get("questionnaire"), e.data.get("practice")) for e in events if e.data.get("practice")}
    wording = {}
    if wanted:
        item = apps.get_model("assessment", "Item")
        found = item.objects.filter(
            questionnaire_id__in={q for q, _ in wanted if q}, key__in={k for _, k in wanted}
        ).only("questionnaire_id", "key", "short", "text", "translations")
        language = get_language() or "en"
        for row in found:
            if language == "en" or row.translations.get(language, {}).get("short"):
                wording[(str(row.questionnaire_id), row.key)] = row.in_language().title
    asked = {e.data["requested_by"] for e in events if e.data.get("requested_by")}
    people = {str(pk): email for pk, email in User.objects.filter(pk__in=asked).values_list("pk", "email")}
    return [Entry(event, _what(event), _sentence(event, wording, people)) for event in events]
