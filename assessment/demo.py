"""Demo audits for `manage.py demo`: three closed yearly audits per organization and one open survey.

2024 is on questionnaire version 2, 2025 and 2026 on version 3, so the latest report tests a
change and 2024→2025 lays side by side only the items the crosswalk pairs. The answers come from
a latent-trait model (organization, person, dimension and item levels, and noise), with the
cases a director meets: a survey at exactly its minimum, one below it, one with a low response
rate, two organizations whose staff saw critical rules broken, a rosy self-audit, a level
claimed without the evidence it needs, and one organization whose people served answered two
years of community feedback, seeing two practices less well than its staff do.
"""

import random
from datetime import date

from django.db import transaction

from accounts.models import Membership, Organization
from accounts.tokens import hash_token, new_token
from assessment.instrument_file import read_instrument_file
from assessment.models import Cycle, Item, Questionnaire, RespondentLink
from assessment.services.cycles import cycle_close, cycle_create
from assessment.services.links import link_redeem, shared_link_create
from assessment.services.questionnaires import SHIPPED_QUESTIONNAIRES, questionnaire_load, questionnaires_load_shipped
from assessment.services.responding import (
    community_answers_submit,
    credential_new,
    response_save_answers,
    response_submit,
    staff_draft_save,
    staff_draft_submit,
)
from assessment.services.schedules import schedule_set

INSTRUMENT_PATH = SHIPPED_QUESTIONNAIRES / "ally-readiness-1.json"
STAFF_2_PATH = SHIPPED_QUESTIONNAIRES / "ally-readiness-2.json"
CHECKLIST_2_PATH = SHIPPED_QUESTIONNAIRES / "ally-readiness-checklist-2.json"
STAFF_3_PATH = SHIPPED_QUESTIONNAIRES / "ally-readiness-3.json"
CHECKLIST_3_PATH = SHIPPED_QUESTIONNAIRES / "ally-readiness-checklist-3.json"
COMMUNITY_PATH = SHIPPED_QUESTIONNAIRES / "community-feedback-1.json"
YEARS = (2024, 2025, 2026)
VERSION_3_FROM = 2025  # 2024 is on version 2
# Version 2's critical practice most organizations find hardest: explaining limits before disclosure.
WEAK_CRITICAL_ITEM = "limits-explained-first"

# The organizations (by their place in the demo list) whose staff saw a critical rule broken,
# and the practice of that rule; every other organization keeps its rules.
BREAKS_RULE = {2: "P5", 4: "P9"}
BREAK_SEEN = 0.3  # the share of staff who saw it broken
ROSY = 0  # leadership sees itself far better than its staff do, and claims a level it cannot show
ROSY_UNEVIDENCED = "P5"  # the practice whose level 3 the rosy self-audit claims with no evidence named
# Edge cases: (organization, year) of a survey at exactly its minimum, one below it (no report),
# and one where few of the invited answered.
AT_MINIMUM = (5, 2025)
BELOW_MINIMUM = (6, 2025)
LOW_RATE = (3, 2026)
LOW_RATE_INVITED, LOW_RATE_ANSWERED = 30, 9

# The organization whose people served answer community feedback, the years they did, and the
# practices they see less well than its staff do, by how much (on the 0 to 1 scale of a level):
# being told what is written and who sees it, and being served without saying their status or work.
COMMUNITY_ORGANIZATION = 1
COMMUNITY_YEARS = (2025, 2026)
SERVED_SEE_LESS = {"P9": 0.4, "P10": 0.45}
SERVED_LIFT = 0.3  # elsewhere they see it well: staff answer the rules as breaks, rarely seen
SERVED_NOT_APPLICABLE = 0.3  # the share for whom a contact or a disclosure never arose

# A latent-trait model, so that demo reports are as noisy, and as coherent, as real ones: each
# organization has a level that improves year by year, each person differs from it, each person
# leans a little differently in each dimension, each item is easier or harder, and each answer
# has its own noise. Don't-knows gather on organization facts (policy, records, funding) and
# among volunteers; people agree a little too readily with reverse-keyed statements (a method
# effect); some staff do not work with clients and say so on every item about that work.
PERSON_SD = 0.16
DIMENSION_SD = 0.06
ANSWER_SD = 0.36
CRITICAL_CARE = 0.25  # leadership attends to the must-meet rules first
ACQUIESCENCE = 0.08
DONT_KNOW = {"base": 0.02, "fact": 0.12, "volunteer": 3.0}
NO_CLIENT_WORK = {"leadership": 0.0, "frontline": 0.0, "volunteer": 0.4, "other": 0.5, "": 0.2}
FACT_WORDS = ("policy", "written", "record", "fund", "file")


def load_instrument(path=INSTRUMENT_PATH) -> Questionnaire:
    questionnaire, _ = questionnaire_load(data=read_instrument_file(path))
    return questionnaire


def _difficulty(item) -> float:
    return random.Random(f"ally-demo-difficulty-{item.key}").gauss(0.0, 0.1)


def _is_fact(item) -> bool:
    text = f"{item.text} {item.help}".lower()
    return any(word in text for word in FACT_WORDS)


def _is_breaks(item) -> bool:
    return item.scale == Item.Scale.BREAKS


def _practice_items(questionnaire, practice: str) -> list[Item]:
    return [item for item in _items(questionnaire) if practice in item.practices and not item.staff_view]


def _items(questionnaire) -> list[Item]:
    cached = getattr(questionnaire, "_demo_items", None)
    if cached is None:
        cached = list(questionnaire.items.select_related("dimension").order_by("order"))
        questionnaire._demo_items = cached
    return cached


def _staff_answers(questionnaire, level, rnd, *, role="", weak_level=None, broken=()) -> dict[str, str]:
    """Draw one staff member's answers: ``level`` is their organization's readiness (0 to 1).

    ``broken`` are the keys of the rules this organization breaks: a share of its staff saw them
    broken, once or more. Every other rule is kept, so its answer is "Never", "Don't know" or,
    for someone who does not work with clients, "Not applicable".
    """
    person = level + rnd.gauss(0.0, PERSON_SD)
    no_client_work = rnd.random() < NO_CLIENT_WORK.get(role, 0.0)
    lean: dict[str, float] = {}
    answers: dict[str, str] = {}
    for item in _items(questionnaire):
        key = item.dimension.key
        lean.setdefault(key, rnd.gauss(0.0, DIMENSION_SD))
        if item.allow_na and no_client_work:
            answers[item.key] = "na"
            continue
        dont_know = DONT_KNOW["base"] + (DONT_KNOW["fact"] if _is_fact(item) else 0.0)
        if role == "volunteer":
            dont_know *= DONT_KNOW["volunteer"]
        if rnd.random() < dont_know:
            answers[item.key] = "dk"
            continue
        if _is_breaks(item):
            seen = item.key in broken and rnd.random() < BREAK_SEEN
            answers[item.key] = str(rnd.choice((1, 1, 2)) if seen else 0)
            continue
        base = weak_level if (weak_level is not None and item.key == WEAK_CRITICAL_ITEM) else person
        good = base + lean[key] - _difficulty(item) + rnd.gauss(0.0, ANSWER_SD)
        if item.reverse:
            good -= ACQUIESCENCE
        value = round(min(1.0, max(0.0, good)) * item.max_value)
        answers[item.key] = str(item.max_value - value if item.reverse else value)
    return answers


def _team_answers(questionnaire, level, rnd, *, broken=(), staff_level=None, unevidenced=()):
    """Draw a self-audit's answers and evidence notes.

    Leadership answers each entry from the organization's level; the records-based breaks entries
    from what happened; the staff items at the end as it believes staff would (``staff_level``).
    Every level of 2 or 3 names its evidence, except the entries in ``unevidenced``, claimed at 3
    with none.
    """
    answers, notes = {}, {}
    for item in _items(questionnaire):
        if item.staff_view:
            answers[item.key] = _staff_answers_one(item, staff_level, rnd)
            continue
        if _is_breaks(item):
            answers[item.key] = "1" if item.key in broken else "0"
            continue
        if item.key in unevidenced:
            answers[item.key] = str(item.max_value)
            continue
        good = level - _difficulty(item) + rnd.gauss(0.0, ANSWER_SD / 2) + (CRITICAL_CARE if item.critical else 0.0)
        value = round(min(1.0, max(0.0, good)) * item.max_value)
        answers[item.key] = str(item.max_value - value if item.reverse else value)
        if item.scale == Item.Scale.MATURITY and value >= 2:
            notes[item.key] = _EVIDENCE[item.order % len(_EVIDENCE)]
    return answers, notes


def _community_answers(questionnaire, level, rnd) -> dict[str, str]:
    """Draw one served person's answers, lower on the practices of ``SERVED_SEE_LESS``; some skip a question."""
    person = level + SERVED_LIFT + rnd.gauss(0.0, PERSON_SD)
    answers: dict[str, str] = {}
    for item in _items(questionnaire):
        roll = rnd.random()
        if roll < 0.04:
            continue
        if roll < 0.08:
            answers[item.key] = "dk"
            continue
        if item.allow_na and rnd.random() < SERVED_NOT_APPLICABLE:
            answers[item.key] = "na"
            continue
        less = max((SERVED_SEE_LESS.get(practice, 0.0) for practice in item.practices), default=0.0)
        good = person - (less + SERVED_LIFT if less else 0.0) - _difficulty(item) + rnd.gauss(0.0, ANSWER_SD)
        answers[item.key] = str(round(min(1.0, max(0.0, good)) * item.max_value))
    return answers


def _community_feedback(organization, admin, questionnaire, year, level, rnd) -> None:
    cycle = cycle_create(
        organization=organization,
        by=admin,
        questionnaire=questionnaire,
        label=f"{year} community feedback",
        mode=Cycle.Mode.COMMUNITY,
        opens_on=date(year, 4, 15),
    )
    for _ in range(rnd.randint(14, 24)):
        answers = _community_answers(questionnaire, level, rnd)
        community_answers_submit(cycle=cycle, credential=credential_new(cycle), answers=answers)
    cycle_close(cycle=cycle, by=admin, on=date(year, 5, 31))


def _staff_answers_one(item, level, rnd) -> str:
    good = level - _difficulty(item) + rnd.gauss(0.0, ANSWER_SD / 2)
    value = round(min(1.0, max(0.0, good)) * item.max_value)
    return str(item.max_value - value if item.reverse else value)


_EVIDENCE = (
    "Client services policy, section 3, reviewed with all staff each January.",
    "Induction checklist and the training log for this year.",
    "Intake form, version of March; the manager's file review notes.",
    "Minutes of the team meeting where this was agreed, and the staff handbook.",
)


def _submit_through_link(token, answers, role_group):
    cycle, draft = link_redeem(token=token)
    draft = staff_draft_save(cycle=cycle, draft=draft, answers=answers, role_group=role_group)
    staff_draft_submit(cycle=cycle, draft=draft)


def _invite(cycle: Cycle, count: int) -> list[str]:
    """Give the survey ``count`` single-use links as if they had been emailed; return their tokens.

    A real invitation goes through ``invitations_send`` and the mail; the demo has no inboxes,
    so it keeps the tokens itself.
    """
    tokens = [new_token() for _ in range(count)]
    RespondentLink.objects.bulk_create(
        RespondentLink(
            cycle=cycle,
            kind=RespondentLink.Kind.SINGLE,
            token_hash=hash_token(token),
            email=f"invited{number}@{cycle.organization.slug}.example",
            delivery=RespondentLink.Delivery.SENT,
        )
        for number, token in enumerate(tokens)
    )
    Cycle.objects.filter(pk=cycle.pk).update(invited_count=count)
    return tokens


def _rule_keys(questionnaire, practice: str | None) -> set[str]:
    if practice is None:
        return set()
    return {item.key for item in _practice_items(questionnaire, practice) if _is_breaks(item)}


def _staff_survey(organization, admin, questionnaire, year, level, rnd, index):
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
    if (index, year) == AT_MINIMUM:
        count = cycle.min_responses
    if (index, year) == BELOW_MINIMUM:
        count = cycle.min_responses - 1
    tokens = [shared_link_create(cycle=cycle, by=admin)] * count
    if (index, year) == LOW_RATE:
        invited = _invite(cycle, LOW_RATE_INVITED)
        tokens = invited[:LOW_RATE_ANSWERED] + tokens[:2]
    weak = 0.3 if index % 3 == 0 else None
    broken = _rule_keys(questionnaire, BREAKS_RULE.get(index))
    groups = ["leadership", "frontline", "frontline", "frontline", "volunteer", "other", ""]
    for token in tokens:
        role = rnd.choice(groups)
        answers = _staff_answers(questionnaire, level, rnd, role=role, weak_level=weak, broken=broken)
        _submit_through_link(token, answers, role)
    cycle_close(cycle=cycle, by=admin, on=date(year, 4, 1))


def _self_audit(organization, admin, questionnaire, year, level, rnd, index, *, staff_level):
    team = cycle_create(
        organization=organization,
        by=admin,
        questionnaire=questionnaire,
        label=f"{year} leadership self-audit",
        mode=Cycle.Mode.TEAM,
        opens_on=date(year, 2, 1),
    )
    rosy = index == ROSY
    unevidenced = set()
    if rosy and questionnaire.version >= 3:
        unevidenced = {i.key for i in _practice_items(questionnaire, ROSY_UNEVIDENCED) if not _is_breaks(i)}
    answers, notes = _team_answers(
        questionnaire,
        level + (0.45 if rosy else 0.06),
        rnd,
        broken=_rule_keys(questionnaire, BREAKS_RULE.get(index)),
        staff_level=staff_level + (0.45 if rosy else 0.0),
        unevidenced=unevidenced,
    )
    response = team.responses.get()
    response_save_answers(response=response, answers=answers, notes=notes, by=admin)
    response_submit(response=response, user=admin)
    Cycle.objects.filter(pk=team.pk).update(closed_on=date(year, 2, 20))


@transaction.atomic
def build_demo_audits(organizations: list[Organization]) -> str | None:
    """Give each organization yearly audits; return a respondent link token for the open survey."""
    # Every shipped version, as `manage.py load_questionnaires` loads them on a real installation.
    loaded: dict[tuple[str, int], Questionnaire] = {(q.slug, q.version): q for q, _ in questionnaires_load_shipped()}
    forms = {
        2: (loaded[("ally-readiness", 2)], loaded[("ally-readiness-checklist", 2)]),
        3: (loaded[("ally-readiness", 3)], loaded[("ally-readiness-checklist", 3)]),
    }
    for index, organization in enumerate(organizations):
        if organization.cycles.exists():
            continue
        rnd = random.Random(f"ally-demo-{organization.slug}")
        admin = Membership.objects.filter(organization=organization, role=Membership.Role.ADMIN).earliest("pk").user
        start = 0.38 + 0.05 * index + rnd.uniform(-0.05, 0.05)
        # Self-audits are stable from year to year: leadership's view moves slowly.
        self_level = start + rnd.uniform(-0.02, 0.02)
        for year_index, year in enumerate(YEARS):
            staff_form, team_form = forms[3 if year >= VERSION_3_FROM else 2]
            level = min(0.85, start + 0.07 * year_index + rnd.uniform(-0.03, 0.03))
            _staff_survey(organization, admin, staff_form, year, level, rnd, index)
            _self_audit(
                organization, admin, team_form, year, self_level + 0.02 * year_index, rnd, index, staff_level=level
            )
            if index == COMMUNITY_ORGANIZATION and year in COMMUNITY_YEARS:
                community = loaded[("community-feedback", 1)]
                _community_feedback(organization, admin, community, year, level, rnd)
        if index == 0:
            staff_3 = forms[3][0]
            cycle = cycle_create(
                organization=organization,
                by=admin,
                questionnaire=staff_3,
                label="Autumn 2026 follow-up survey",
                mode=Cycle.Mode.STAFF,
                opens_on=date(2026, 11, 1),
            )
            # Its calendar, as the demo's audits keep it: the self-audit in February, the staff survey in March.
            schedule_set(organization=organization, by=admin, mode=Cycle.Mode.TEAM, month=2, weeks=4)
            schedule_set(organization=organization, by=admin, mode=Cycle.Mode.STAFF, month=3, weeks=4)
            token = shared_link_create(cycle=cycle, by=admin)
            for _ in range(2):
                _submit_through_link(token, _staff_answers(staff_3, 0.7, rnd, role="frontline"), "frontline")
    # A fresh shared link on every run, since links are shown only once.
    open_cycle = Cycle.objects.filter(organization=organizations[0], status=Cycle.Status.OPEN).first()
    if open_cycle is None:
        return None
    admin = Membership.objects.filter(organization=organizations[0], role=Membership.Role.ADMIN).earliest("pk").user
    return shared_link_create(cycle=open_cycle, by=admin)
