import pytest

from assessment import services
from assessment.demo import INSTRUMENT_PATH
from assessment.instrument_file import read_instrument_file
from assessment.models import Cycle
from tests.assessment.conftest import full_answers


@pytest.fixture
def questionnaire(db):
    return services.questionnaire_load(data=read_instrument_file(INSTRUMENT_PATH))[0]


@pytest.fixture
def closed_cycles(questionnaire, admin, lead, staff):
    """Build closed staff surveys, one per year, each answered through single-use links."""

    def build(organization, years=(2024, 2025), responses=4, values=("1", "2", "3", "4"), min_responses=3):
        cycles = []
        for index, year in enumerate(years):
            cycle = services.cycle_create(
                organization=organization,
                by=admin.user,
                questionnaire=questionnaire,
                label=f"{year} staff survey",
                mode=Cycle.Mode.STAFF,
                opens_on=f"{year}-03-01",
                min_responses=min_responses,
            )
            for number, token in enumerate(
                services.links_create(cycle=cycle, by=admin.user, kind="single", count=responses)
            ):
                response, _ = services.link_redeem(token=token)
                value = values[(number + index) % len(values)]
                group = ["frontline", "leadership", "volunteer", ""][number % 4]
                services.response_save_answers(
                    response=response, answers=full_answers(questionnaire, value), role_group=group
                )
                services.response_submit(response=response)
            cycles.append(services.cycle_close(cycle=cycle, by=admin.user, on=f"{year}-04-01"))
        return cycles

    return build
