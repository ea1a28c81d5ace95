import pytest

from assessment.models import Cycle
from assessment.services.cycles import cycle_create
from assessment.services.responding import member_response_start, staff_draft_save, staff_draft_submit
from tests.conftest import full_answers


@pytest.fixture
def cycle_factory(questionnaire, organization, admin):
    def make(mode=Cycle.Mode.STAFF, *, organization=organization, min_responses=3, open_now=True, label=None):
        return cycle_create(
            organization=organization,
            by=admin.user,
            questionnaire=questionnaire,
            label=label or f"{mode} audit",
            mode=mode,
            opens_on="2026-03-01",
            min_responses=min_responses,
            open_now=open_now,
        )

    return make


@pytest.fixture
def staff_cycle(cycle_factory):
    return cycle_factory(Cycle.Mode.STAFF)


@pytest.fixture
def team_cycle(cycle_factory):
    return cycle_factory(Cycle.Mode.TEAM)


@pytest.fixture
def submit_as_member(member_factory):
    """Submit a complete response as a new staff member of the cycle's organization."""

    def submit(cycle, value="3", role_group=""):
        member = member_factory(cycle.organization)
        draft = member_response_start(cycle=cycle, user=member.user)
        draft = staff_draft_save(
            cycle=cycle, draft=draft, answers=full_answers(cycle.questionnaire, value), role_group=role_group
        )
        staff_draft_submit(cycle=cycle, draft=draft)
        return member

    return submit
