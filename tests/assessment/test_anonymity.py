"""A submitted staff response cannot be tied to a person, a link or a time, even with every table."""

import json

from django.apps import apps
from django.conf import settings
from django.db import connection, models

from accounts.models import User
from assessment.models import Answer, Participation, RespondentLink, Response
from assessment.selectors import questionnaire_pages
from assessment.services.cycles import cycle_close
from assessment.services.links import link_redeem, links_create
from assessment.services.responding import member_response_start, response_save_answers, response_submit

IDENTIFYING_FIELDS = (models.DateField, models.DateTimeField, models.TimeField, models.GenericIPAddressField)


def _models_under_response():
    """Response and every model that points at it."""
    found = [Response]
    for model in apps.get_models():
        if any(f.is_relation and f.related_model is Response for f in model._meta.get_fields() if f.concrete):
            found.append(model)
    return found


def test_no_column_under_response_can_identify_a_person_link_or_time():
    for model in _models_under_response():
        for field in model._meta.concrete_fields:
            assert not isinstance(field, IDENTIFYING_FIELDS), f"{model.__name__}.{field.name} records a time or address"
            if field.is_relation:
                assert field.related_model is not apps.get_model(settings.AUTH_USER_MODEL), (
                    f"{model.__name__}.{field.name}"
                )
                if field.related_model is RespondentLink:
                    # Only drafts may point at their link; the database refuses it on a submitted row.
                    assert any(c.name == "submitted_response_is_untied" for c in Response._meta.constraints)
    assert {m.__name__ for m in _models_under_response()} == {"Response", "Answer"}


def _distinct_answers(questionnaire, number):
    answers = {}
    for index, item in enumerate(i for page in questionnaire_pages(questionnaire) for i in page.items):
        answers[item.key] = str((number * 7 + index * (number % 3 + 1)) % (item.max_value + 1))
    return answers


def _raw_rows(model, columns="*"):
    """Return the table's rows as stored, in physical order (SQLite rowid, PostgreSQL ctid)."""
    with connection.cursor() as cursor:
        order = "rowid" if connection.vendor == "sqlite" else "ctid"
        cursor.execute(f"SELECT {columns} FROM {model._meta.db_table} ORDER BY {order}")
        return cursor.fetchall()


def test_submitted_responses_cannot_be_linked(lead, organization, staff_cycle, member_factory, questionnaire):
    members = [member_factory(organization) for _ in range(6)]
    tokens = links_create(cycle=staff_cycle, by=lead.user, kind="single", count=6)
    submission_order = []  # (response id, overall score) in the order people submitted
    for number in range(12):
        if number % 2:
            response, secret = link_redeem(token=tokens[number // 2])
            user = None
        else:
            user = members[number // 2].user
            response, secret = member_response_start(cycle=staff_cycle, user=user)
        response_save_answers(response=response, answers=_distinct_answers(questionnaire, number))
        submitted = response_submit(response=response, user=user)
        submission_order.append((str(submitted.pk), submitted.scores["overall"]))

    assert len({score for _, score in submission_order}) == 12, "test needs distinct scores"
    # Keys are random, not a sequence: sorting them does not give the order of submission.
    ids = [pk for pk, _ in submission_order]
    assert sorted(ids) != ids

    user_ids = {str(pk) for pk in User.objects.values_list("pk", flat=True)} | {
        pk.hex for pk in User.objects.values_list("pk", flat=True)
    }
    link_values = set()
    for link in RespondentLink.objects.all():
        link_values |= {str(link.pk), link.pk.hex, link.token_hash}
    assert RespondentLink.objects.filter(is_used=True).count() == 6
    assert Participation.objects.count() == 6
    for model in (Response, Answer):
        for row in _raw_rows(model):
            for value in row:
                text = str(value)
                assert text not in user_ids, f"{model.__name__} holds a user id"
                assert text not in link_values, f"{model.__name__} holds a link"
    assert not Response.objects.exclude(resume_hash=None).filter(status="submitted").exists()

    cycle_close(cycle=staff_cycle, by=lead.user)

    # Closing reseals: every submitted response has a new random key, in a new physical order.
    after = list(Response.objects.filter(cycle=staff_cycle).values_list("pk", flat=True))
    assert len(after) == 12
    assert not {str(pk) for pk in after} & set(ids)
    stored = [
        json.loads(scores)["overall"] if isinstance(scores, str) else scores["overall"]
        for (scores,) in _raw_rows(Response, "scores")
    ]
    assert sorted(stored) == sorted(score for _, score in submission_order)
    assert stored != [score for _, score in submission_order]
    assert Answer.objects.filter(response__cycle=staff_cycle).count() == 12 * questionnaire.items.count()
