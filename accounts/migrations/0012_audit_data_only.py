"""The audit log keeps facts only: each older event's English detail becomes ids and keys.

What the text named is found by what it said (an address, an audit's label, a coalition's name)
within the event's organization; what can no longer be found is left out, and the entry then
reads "a deleted person", "a deleted audit" and so on, as a new entry would."""

import re

from django.db import migrations

MEMBER = re.compile(r"^(?P<email>\S+@\S+?)(?:: (?P<previous>\w+) → (?P<role>\w+)| as (?P<as>\w+))?$")
CYCLE_ACTIONS = {"cycle_opened", "cycle_closed", "team_response_edited", "team_response_submitted", "links_created"}


def _facts(apps, event) -> dict:
    user_model, invitation_model = apps.get_model("accounts", "User"), apps.get_model("accounts", "Invitation")
    cycle_model, coalition_model = apps.get_model("assessment", "Cycle"), apps.get_model("coalitions", "Coalition")
    plan_model = apps.get_model("reports", "Action")
    data, detail, action = dict(event.data), event.detail, event.action
    member = MEMBER.match(detail)
    if member and action in {"member_invited", "member_joined", "role_changed", "member_removed", "invitation_revoked"}:
        email = member["email"]
        if action in {"member_invited", "invitation_revoked"}:
            invitation = invitation_model.objects.filter(organization_id=event.organization_id, email__iexact=email)
            data["invitation"] = str(invitation.values_list("pk", flat=True).first() or "") or None
        else:
            data["user"] = str(user_model.objects.filter(email__iexact=email).values_list("pk", flat=True).first() or "")
            data["user"] = data["user"] or None
        if member["previous"]:
            data.update(previous=member["previous"], role=member["role"])
        elif member["as"]:
            data["role"] = member["as"]
    elif action in CYCLE_ACTIONS and "cycle" not in data:
        label = detail.removeprefix("shared link for ")
        cycle = cycle_model.objects.filter(organization_id=event.organization_id, label=label)
        data["cycle"] = str(cycle.values_list("pk", flat=True).first() or "") or None
    elif action in {"coalition_joined", "coalition_withdrawn"}:
        data["coalition"] = str(coalition_model.objects.filter(name=detail).values_list("pk", flat=True).first() or "")
        data["coalition"] = data["coalition"] or None
    elif action == "settings_changed":
        data["fields"] = [name for name in detail.split(", ") if re.fullmatch(r"\w+", name)]
    elif action in {"action_created", "action_updated"} and data.get("action"):
        plan = plan_model.objects.filter(pk=data["action"]).values_list("source_cycle__questionnaire_id", flat=True)
        data["questionnaire"] = str(plan.first() or "") or None
    return data


def detail_to_facts(apps, schema_editor):
    AuditEvent = apps.get_model("accounts", "AuditEvent")
    for event in AuditEvent.objects.exclude(detail="").iterator():
        event.data = _facts(apps, event)
        event.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0011_invitation_approval_actions"),
        ("assessment", "0011_item_staff_view"),
        ("coalitions", "0007_snapshot_series_and_cycles"),
        ("reports", "0006_cyclereport_per_language"),
    ]

    operations = [
        migrations.RunPython(detail_to_facts, migrations.RunPython.noop, elidable=True),
        migrations.RemoveField(model_name="auditevent", name="detail"),
    ]
