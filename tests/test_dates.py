"""Dates in the reader's language: French writes the first of a month "1er"."""

from datetime import date

from django.core import mail
from django.template import Context, Template
from django.utils import translation

from assessment.services.schedules import schedule_notices_send, schedule_set


def test_french_schedule_email_says_1er_and_names_the_kind_after_the_due_date(lead, organization):
    lead.user.language = "fr"
    lead.user.save(update_fields=["language"])
    schedule_set(organization=organization, by=lead.user, mode="team", month=4, weeks=2)
    assert schedule_notices_send(today=date(2027, 3, 28), site_url="https://ally.example") == 1
    message = mail.outbox[-1]
    assert "le 1er avril 2027" in message.body and "le 1 avril" not in message.body
    assert (
        message.subject
        == "[Ally Readiness] Échéance dans 4 jours\u00a0: Auto-évaluation de la direction (une réponse commune)"
    )


def test_long_date_filter_in_each_language():
    template = Template("{% load dates %}{{ day|long_date }} · {{ other|long_date }}")
    context = Context({"day": date(2027, 3, 1), "other": date(2027, 3, 21)})
    rendered = {}
    for language in ("en", "fr", "zh-hans"):
        with translation.override(language):
            rendered[language] = template.render(context)
    assert rendered["fr"] == "1er mars 2027 · 21 mars 2027"
    assert rendered["en"] == "March 1, 2027 · March 21, 2027"
    assert rendered["zh-hans"] == "2027年3月1日 · 2027年3月21日"
