from django.db import migrations


def detail_to_note(apps, schema_editor):
    """Keep an older event's English text, which has no structured facts to word it from."""
    AuditEvent = apps.get_model("accounts", "AuditEvent")
    for event in AuditEvent.objects.exclude(detail="").iterator():
        event.data = {**event.data, "note": event.detail}
        event.save(update_fields=["data"])


def note_to_detail(apps, schema_editor):
    AuditEvent = apps.get_model("accounts", "AuditEvent")
    for event in AuditEvent.objects.filter(data__has_key="note").iterator():
        event.detail = event.data.pop("note")[:300]
        event.save(update_fields=["detail", "data"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0011_invitation_approval_actions"),
    ]

    operations = [
        migrations.RunPython(detail_to_note, note_to_detail, elidable=True),
        migrations.RemoveField(model_name="auditevent", name="detail"),
    ]
