"""Stored reports are kept per language.

A stored report is derived from its cycle's stored results, so the old rows are dropped rather
than converted: each is built again, in the reader's language, the first time it is read.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0007_questionnaire_translations"),
        ("reports", "0005_action_plans"),
    ]

    operations = [
        migrations.DeleteModel(name="CycleReport"),
        migrations.CreateModel(
            name="CycleReport",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("language", models.CharField(max_length=10)),
                ("basis", models.JSONField()),
                ("payload", models.JSONField()),
                ("created_at", models.DateTimeField(auto_now=True)),
                (
                    "cycle",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="stored_reports",
                        to="assessment.cycle",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("cycle", "language"), name="one_report_per_language")
                ],
            },
        ),
    ]
