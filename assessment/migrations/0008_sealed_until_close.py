import base64
import hashlib
import json
import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def reseal_waiting_submissions(apps, schema_editor):
    """Seal submissions waiting under the earlier format (Fernet, JSON) without time, at one length.

    Responses already written out in batches stay as they are; closing their survey rewrites
    them with the rest.
    """
    from cryptography.fernet import Fernet, InvalidToken, MultiFernet

    from assessment import sealing

    PendingResponse = apps.get_model("assessment", "PendingResponse")
    Item = apps.get_model("assessment", "Item")
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    fernet = MultiFernet(
        [Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"ally-pending:" + s.encode()).digest())) for s in secrets]
    )
    for pending in PendingResponse.objects.select_related("cycle"):
        try:
            payload = json.loads(fernet.decrypt(pending.sealed.encode()))
        except InvalidToken:
            continue  # sealed already in the new format, or under a key no longer held
        keys = sorted(Item.objects.filter(questionnaire_id=pending.cycle.questionnaire_id).values_list("key", flat=True))
        answers = {key: str(value) for key, value in payload["answers"].items()}
        packed = "".join({"dk": "d", "na": "n"}.get(answers.get(key, ""), answers.get(key) or "-") for key in keys)
        plaintext = json.dumps({"a": packed, "g": payload.get("role_group", "")}, separators=(",", ":")).encode()
        pending.sealed = sealing.seal(plaintext, purpose=f"pending:{pending.cycle_id}", size=len(keys) + 64)
        pending.save(update_fields=["sealed"])


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
