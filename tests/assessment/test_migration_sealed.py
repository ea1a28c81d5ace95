"""Upgrading with a staff survey open: what the earlier version wrote goes back under seal."""

import base64
import hashlib
import json

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("assessment", "0007_questionnaire_translations")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _earlier_survey(apps):
    """An open survey as the earlier version left it: a batch of six written out, one waiting."""
    Organization = apps.get_model("accounts", "Organization")
    Questionnaire = apps.get_model("assessment", "Questionnaire")
    Dimension = apps.get_model("assessment", "Dimension")
    Item = apps.get_model("assessment", "Item")
    Cycle = apps.get_model("assessment", "Cycle")
    Response = apps.get_model("assessment", "Response")
    Answer = apps.get_model("assessment", "Answer")
    PendingResponse = apps.get_model("assessment", "PendingResponse")
    organization = Organization.objects.create(name="Riverside", slug="riverside", sector="legal")
    questionnaire = Questionnaire.objects.create(slug="q", version=1, title="Q", status="published")
    items = []
    for number, key in enumerate(("consent", "confidentiality", "non_judgment")):
        dimension = Dimension.objects.create(questionnaire=questionnaire, key=key, name=key, order=number)
        items.append(
            Item.objects.create(
                questionnaire=questionnaire,
                dimension=dimension,
                key=f"{key}-item",
                text="…",
                scale="frequency",
                max_value=4,
                recommendation="…",
            )
        )
    cycle = Cycle.objects.create(
        organization=organization,
        questionnaire=questionnaire,
        label="2026",
        mode="staff",
        opens_on="2026-03-01",
        status="open",
        min_responses=3,
    )
    for number, group in enumerate(["frontline"] * 3 + ["leadership"] * 3):
        response = Response.objects.create(cycle=cycle, status="submitted", role_group=group, scores={})
        for item in items:
            Answer.objects.create(response=response, item=item, value=number % 5)
    key = base64.urlsafe_b64encode(hashlib.sha256(b"ally-pending:" + settings.SECRET_KEY.encode()).digest())
    payload = {"answers": {item.key: "dk" for item in items}, "role_group": "frontline"}
    PendingResponse.objects.create(cycle=cycle, sealed=Fernet(key).encrypt(json.dumps(payload).encode()).decode())
    return cycle.pk


@pytest.mark.django_db(transaction=True)
def test_an_open_survey_of_the_earlier_version_closes_with_every_answer_and_its_role_groups(lead):
    from assessment.models import Cycle, PendingResponse, Response
    from assessment.services.cycles import cycle_close

    cycle_id = _earlier_survey(_migrate(BEFORE))
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert not Response.objects.filter(cycle_id=cycle_id).exists(), "written-out answers stay readable"
    sealed = list(PendingResponse.objects.filter(cycle_id=cycle_id).values_list("sealed", flat=True))
    assert len(sealed) == 7 and len({len(value) for value in sealed}) == 1
    closed = cycle_close(cycle=Cycle.objects.get(pk=cycle_id), by=lead.user)
    assert closed.results["n"] == 7
    assert {group: found["n"] for group, found in closed.results["role_groups"].items()} == {
        "frontline": 4,
        "leadership": 3,
    }
