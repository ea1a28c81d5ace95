"""Demo audits for `manage.py demo`: three closed yearly audits per organization and one open survey."""

import random
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction

from accounts.models import Membership, Organization
from assessment.instrument_file import read_instrument_file
from assessment.models import Cycle, Questionnaire
from assessment.services.cycles import cycle_close, cycle_create
from assessment.services.links import link_redeem, shared_link_create
from assessment.services.questionnaires import questionnaire_load
from assessment.services.responding import (
    StaffDraft,
    response_save_answers,
    response_submit,
    staff_draft_save,
    staff_draft_submit,
)

INSTRUMENT_PATH = Path(settings.BASE_DIR) / "fixtures" / "questionnaires" / "ally-readiness-1.json"
YEARS = (2024, 2025, 2026)
# The critical practice most organizations find hardest: explaining limits before disclosure.
WEAK_CRITICAL_ITEM = "limits-explained-first"


def load_instrument() -> Questionnaire:
    questionnaire, _ = questionnaire_load(data=read_instrument_file(INSTRUMENT_PATH))
    return questionnaire


def _answer(item, level: float, rnd: random.Random) -> str:
    """Draw an answer around ``level`` (0–1 readiness) on the item's scale."""
    if rnd.random() < 0.04:
        return "dk"
    if item.allow_na and rnd.random() < 0.05:
        return "na"
    good = min(1.0, max(0.0, rnd.gauss(level, 0.18)))
    value = round(good * item.max_value)
    return str(item.max_value - value if item.reverse else value)


def _answers(questionnaire, level, rnd, *, weak_level=None) -> dict[str, str]:
    answers = {}
    for item in questionnaire.items.all():
        item_level = weak_level if (weak_level is not None and item.key == WEAK_CRITICAL_ITEM) else level
        answers[item.key] = _answer(item, item_level, rnd)
    return answers


def _submit_through_link(token, answers, role_group):
    cycle, secret = link_redeem(token=token)
    draft = staff_draft_save(
        cycle=cycle, draft=StaffDraft(cycle_id=str(cycle.pk), secret=secret), answers=answers, role_group=role_group
    )
    staff_draft_submit(cycle=cycle, draft=draft)


@transaction.atomic
def build_demo_audits(organizations: list[Organization]) -> str | None:
    """Give each organization yearly audits; return a respondent link token for the open survey."""
    questionnaire = load_instrument()
    for index, organization in enumerate(organizations):
        if organization.cycles.exists():
            continue
        rnd = random.Random(f"ally-demo-{organization.slug}")
        admin = Membership.objects.filter(organization=organization, role=Membership.Role.ADMIN).first().user
        start = 0.35 + 0.05 * index + rnd.uniform(-0.05, 0.05)
        for year_index, year in enumerate(YEARS):
            level = min(0.92, start + 0.09 * year_index + rnd.uniform(-0.03, 0.03))
            weak = 0.35 if index % 3 == 0 else None
            cycle = cycle_create(
                organization=organization,
                by=admin,
                questionnaire=questionnaire,
                label=f"{year} staff survey",
                mode=Cycle.Mode.STAFF,
                opens_on=date(year, 3, 1),
                closes_on=date(year, 3, 31),
            )
            count = rnd.randint(9, 16)
            token = shared_link_create(cycle=cycle, by=admin)
            groups = ["leadership", "frontline", "frontline", "frontline", "volunteer", "other", ""]
            for _ in range(count):
                _submit_through_link(token, _answers(questionnaire, level, rnd, weak_level=weak), rnd.choice(groups))
            cycle_close(cycle=cycle, by=admin, on=date(year, 4, 1))
            if index == 0:
                team = cycle_create(
                    organization=organization,
                    by=admin,
                    questionnaire=questionnaire,
                    label=f"{year} leadership self-audit",
                    mode=Cycle.Mode.TEAM,
                    opens_on=date(year, 2, 1),
                )
                response = team.responses.get()
                answers = _answers(questionnaire, level + 0.08, rnd)
                notes = {
                    "no-contact-policy": "Client consent policy, section 3 (reviewed with all staff each January)."
                }
                response_save_answers(response=response, answers=answers, notes=notes, by=admin)
                response_submit(response=response, user=admin)
                Cycle.objects.filter(pk=team.pk).update(closed_on=date(year, 2, 20))
        if index == 0:
            cycle = cycle_create(
                organization=organization,
                by=admin,
                questionnaire=questionnaire,
                label="Autumn 2026 follow-up survey",
                mode=Cycle.Mode.STAFF,
                opens_on=date(2026, 11, 1),
            )
            token = shared_link_create(cycle=cycle, by=admin)
            for _ in range(2):
                _submit_through_link(token, _answers(questionnaire, 0.7, rnd), "frontline")
    # A fresh shared link on every run, since links are shown only once.
    open_cycle = Cycle.objects.filter(organization=organizations[0], status=Cycle.Status.OPEN).first()
    if open_cycle is None:
        return None
    admin = Membership.objects.filter(organization=organizations[0], role=Membership.Role.ADMIN).first().user
    return shared_link_create(cycle=open_cycle, by=admin)
