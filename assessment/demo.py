"""Demo audits for `manage.py demo`: three closed yearly audits per organization and one open survey."""

import random
from datetime import date
from pathlib import Path

from django.db import transaction

from accounts.models import Membership, Organization
from assessment.instrument_file import read_instrument_file
from assessment.models import Cycle, Questionnaire
from assessment.services.cycles import cycle_close, cycle_create
from assessment.services.links import link_redeem, shared_link_create
from assessment.services.questionnaires import SHIPPED_QUESTIONNAIRES, questionnaire_load, questionnaires_load_shipped
from assessment.services.responding import (
    response_save_answers,
    response_submit,
    staff_draft_save,
    staff_draft_submit,
)

QUESTIONNAIRES = SHIPPED_QUESTIONNAIRES
INSTRUMENT_PATH = QUESTIONNAIRES / "ally-readiness-1.json"
STAFF_2_PATH = QUESTIONNAIRES / "ally-readiness-2.json"
CHECKLIST_2_PATH = QUESTIONNAIRES / "ally-readiness-checklist-2.json"
YEARS = (2024, 2025, 2026)
VERSION_2_FROM = 2026  # earlier demo years use version 1, so every organization shows the change
# The critical practice most organizations find hardest: explaining limits before disclosure.
WEAK_CRITICAL_ITEM = "limits-explained-first"


def load_instrument(path: Path = INSTRUMENT_PATH) -> Questionnaire:
    questionnaire, _ = questionnaire_load(data=read_instrument_file(path))
    return questionnaire


# Per form: the critical entry a rosy leadership answers one step short of the best, and the entry
# its evidence note goes with.
ROSY_CRITICAL = {"ally-readiness": "police-contact-consent", "ally-readiness-checklist": "checklist-police-consent"}
NOTE_ITEM = {"ally-readiness": "no-contact-policy", "ally-readiness-checklist": "checklist-police-consent"}


# A latent-trait model, so that demo reports are as noisy, and as coherent, as real ones: each
# organization has a level that improves year by year, each person differs from it, each person
# leans a little differently in each dimension, each item is easier or harder, and each answer
# has its own noise. Don't-knows gather on policy questions and among volunteers.
PERSON_SD = 0.14
DIMENSION_SD = 0.06
ANSWER_SD = 0.3
DONT_KNOW = {"base": 0.02, "policy": 0.12, "volunteer": 3.0}


def _difficulty(item) -> float:
    return random.Random(f"ally-demo-difficulty-{item.key}").gauss(0.0, 0.1)


def _is_policy_item(item) -> bool:
    text = f"{item.text} {item.help}".lower()
    return "policy" in text or "written" in text


def _answers(questionnaire, level, rnd, *, role="", weak_level=None, critical_often=None) -> dict[str, str]:
    """Draw one person's answers: ``level`` is their organization's readiness (0 to 1)."""
    person = level + rnd.gauss(0.0, PERSON_SD)
    lean = {}
    answers = {}
    for item in questionnaire.items.select_related("dimension"):
        key = item.dimension.key
        lean.setdefault(key, rnd.gauss(0.0, DIMENSION_SD))
        base = weak_level if (weak_level is not None and item.key == WEAK_CRITICAL_ITEM) else person
        dont_know = DONT_KNOW["base"] + (DONT_KNOW["policy"] if _is_policy_item(item) else 0.0)
        if role == "volunteer":
            dont_know *= DONT_KNOW["volunteer"]
        if rnd.random() < dont_know:
            answers[item.key] = "dk"
            continue
        if item.allow_na and rnd.random() < 0.03:
            answers[item.key] = "na"
            continue
        good = min(1.0, max(0.0, base + lean[key] - _difficulty(item) + rnd.gauss(0.0, ANSWER_SD)))
        value = round(good * item.max_value)
        answers[item.key] = str(item.max_value - value if item.reverse else value)
    if critical_often:
        item = questionnaire.items.get(key=critical_often)
        answers[item.key] = str(1 if item.reverse else item.max_value - 1)
    return answers


def _submit_through_link(token, answers, role_group):
    cycle, draft = link_redeem(token=token)
    draft = staff_draft_save(cycle=cycle, draft=draft, answers=answers, role_group=role_group)
    staff_draft_submit(cycle=cycle, draft=draft)


@transaction.atomic
def build_demo_audits(organizations: list[Organization]) -> str | None:
    """Give each organization yearly audits; return a respondent link token for the open survey."""
    # Every shipped version, as `manage.py load_questionnaires` loads them on a real installation.
    loaded = {(q.slug, q.version): q for q, _created in questionnaires_load_shipped()}
    version_1 = loaded[("ally-readiness", 1)]
    staff_2, checklist_2 = loaded[("ally-readiness", 2)], loaded[("ally-readiness-checklist", 2)]
    for index, organization in enumerate(organizations):
        if organization.cycles.exists():
            continue
        rnd = random.Random(f"ally-demo-{organization.slug}")
        admin = Membership.objects.filter(organization=organization, role=Membership.Role.ADMIN).first().user
        start = 0.38 + 0.05 * index + rnd.uniform(-0.05, 0.05)
        for year_index, year in enumerate(YEARS):
            staff_form, team_form = (staff_2, checklist_2) if year >= VERSION_2_FROM else (version_1, version_1)
            level = min(0.85, start + 0.07 * year_index + rnd.uniform(-0.03, 0.03))
            weak = 0.3 if index % 3 == 0 else None
            cycle = cycle_create(
                organization=organization,
                by=admin,
                questionnaire=staff_form,
                label=f"{year} staff survey",
                mode=Cycle.Mode.STAFF,
                opens_on=date(year, 3, 1),
                closes_on=date(year, 3, 31),
            )
            count = rnd.randint(9, 16)
            token = shared_link_create(cycle=cycle, by=admin)
            groups = ["leadership", "frontline", "frontline", "frontline", "volunteer", "other", ""]
            for _ in range(count):
                role = rnd.choice(groups)
                _submit_through_link(token, _answers(staff_form, level, rnd, role=role, weak_level=weak), role)
            cycle_close(cycle=cycle, by=admin, on=date(year, 4, 1))
            team = cycle_create(
                organization=organization,
                by=admin,
                questionnaire=team_form,
                label=f"{year} leadership self-audit",
                mode=Cycle.Mode.TEAM,
                opens_on=date(year, 2, 1),
            )
            response = team.responses.get()
            # Leadership rates itself a little above its staff; the first organization, far
            # above, while still allowing police contact "often" without consent.
            rosy = index == 0
            answers = _answers(
                team_form,
                level + (0.45 if rosy else 0.06),
                rnd,
                critical_often=ROSY_CRITICAL[team_form.slug] if rosy else None,
            )
            notes = {
                NOTE_ITEM[team_form.slug]: "Client consent policy, section 3 (reviewed with all staff each January)."
            }
            response_save_answers(response=response, answers=answers, notes=notes, by=admin)
            response_submit(response=response, user=admin)
            Cycle.objects.filter(pk=team.pk).update(closed_on=date(year, 2, 20))
        if index == 0:
            cycle = cycle_create(
                organization=organization,
                by=admin,
                questionnaire=staff_2,
                label="Autumn 2026 follow-up survey",
                mode=Cycle.Mode.STAFF,
                opens_on=date(2026, 11, 1),
            )
            token = shared_link_create(cycle=cycle, by=admin)
            for _ in range(2):
                _submit_through_link(token, _answers(staff_2, 0.7, rnd), "frontline")
    # A fresh shared link on every run, since links are shown only once.
    open_cycle = Cycle.objects.filter(organization=organizations[0], status=Cycle.Status.OPEN).first()
    if open_cycle is None:
        return None
    admin = Membership.objects.filter(organization=organizations[0], role=Membership.Role.ADMIN).first().user
    return shared_link_create(cycle=open_cycle, by=admin)
