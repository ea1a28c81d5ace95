import base64
import hashlib
import json
import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _pack(keys, answers):
    return "".join({"dk": "d", "na": "n"}.get(answers.get(key, ""), answers.get(key) or "-") for key in keys)


def _seal(cycle_id, keys, answers, role_group):
    from config import sealing

    plaintext = json.dumps({"a": _pack(keys, answers), "g": role_group}, separators=(",", ":")).encode()
    return sealing.seal(plaintext, purpose=f"pending:{cycle_id}", size=len(keys) + 64)


def reseal_waiting_submissions(apps, schema_editor):
    """Seal what open staff surveys hold under the earlier format: no time, one length.

    Submissions waiting as Fernet tokens are sealed again; responses already written out in
    batches go back under seal with their role group, so that closing writes every answer out at
    once, shuffled, and aggregates the groups.
    """
    from cryptography.fernet import Fernet, InvalidToken, MultiFernet

    Cycle = apps.get_model("assessment", "Cycle")
    Item = apps.get_model("assessment", "Item")
    PendingResponse = apps.get_model("assessment", "PendingResponse")
    Response = apps.get_model("assessment", "Response")
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    fernet = MultiFernet(
        [Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"ally-pending:" + s.encode()).digest())) for s in secrets]
    )
    for cycle in Cycle.objects.filter(mode="staff").exclude(status="closed"):
        keys = sorted(Item.objects.filter(questionnaire_id=cycle.questionnaire_id).values_list("key", flat=True))
        for pending in PendingResponse.objects.filter(cycle=cycle):
            try:
                payload = json.loads(fernet.decrypt(pending.sealed.encode()))
            except InvalidToken:
                continue  # sealed already in the new format, or under a key no longer held
            answers = {key: str(value) for key, value in payload["answers"].items()}
            pending.sealed = _seal(cycle.pk, keys, answers, payload.get("role_group", ""))
            pending.save(update_fields=["sealed"])
        written = Response.objects.filter(cycle=cycle, status="submitted").prefetch_related("answers__item")
        for response in written:
            answers = {a.item.key: a.special or str(a.value) for a in response.answers.all()}
            PendingResponse.objects.create(cycle=cycle, sealed=_seal(cycle.pk, keys, answers, response.role_group))
        Response.objects.filter(pk__in=[response.pk for response in written]).delete()
    if schema_editor.connection.vendor == "postgresql":
        # Deferred foreign-key checks of the deleted rows must run before the same transaction alters the table.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):

    dependencies = [
        ('assessment', '0007_questionnaire_translations'),
    ]

    operations = [
        migrations.RunPython(reseal_waiting_submissions, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='response',
            name='role_group',
        ),
        migrations.CreateModel(
            name='SpentCredential',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('value_hash', models.CharField(max_length=64, unique=True)),
                ('cycle', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='spent_credentials', to='assessment.cycle')),
            ],
        ),
        migrations.DeleteModel(
            name='DraftTicket',
        ),
    ]
