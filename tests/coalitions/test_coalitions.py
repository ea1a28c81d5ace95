import re

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Membership
from assessment.models import Cycle
from coalitions import services
from coalitions.benchmarks import publishable
from coalitions.models import BenchmarkSnapshot, CoalitionMembership
from tests.conftest import login

YEAR = 2025


@pytest.fixture
def network(org_factory, member_factory, user_factory, closed_cycles):
    """A coalition of six consenting organizations, confirmed by the operator, each with one closed survey in 2025."""
    steward = user_factory("steward@example.org")
    coalition, code = services.coalition_create(user=steward, name="Network")
    organizations, admins = [], []
    for index in range(6):
        organization = org_factory(f"Member {index}")
        admin = member_factory(organization, "admin")
        values = [("1", "2"), ("2", "3"), ("3", "4"), ("2", "2"), ("4", "4"), ("1", "1")][index]
        closed_cycles(organization, years=(YEAR,), responses=3, values=values)
        membership = services.coalition_join(
            coalition=coalition, organization=organization, by=admin.user, join_code=code, consent=True
        )
        services.coalition_member_confirm(membership=membership)  # as the operator would
        organizations.append(organization)
        admins.append(admin)
    return {"coalition": coalition, "code": code, "steward": steward, "organizations": organizations, "admins": admins}


def _publish(network, year=YEAR):
    return services.snapshot_publish(coalition=network["coalition"], period=year, by=network["steward"])


def test_join_records_consent(network):
    membership = CoalitionMembership.objects.filter(coalition=network["coalition"]).first()
    assert membership.consent_version == services.CONSENT_VERSION
    assert membership.consented_by is not None and membership.consented_at is not None
    assert AuditEvent.objects.filter(action=AuditEvent.Action.COALITION_JOINED).count() == 6


def test_join_needs_the_code_and_the_consent_box(network, org_factory, member_factory):
    organization = org_factory("Newcomer")
    admin = member_factory(organization, "admin")
    with pytest.raises(ValidationError) as error:
        services.coalition_join(
            coalition=network["coalition"], organization=organization, by=admin.user, join_code="wrong", consent=True
        )
    assert error.value.messages == [str(services.JOIN_CODE_INVALID_MESSAGE)]
    with pytest.raises(ValidationError) as error:
        services.coalition_join(
            coalition=network["coalition"],
            organization=organization,
            by=admin.user,
            join_code=network["code"],
            consent=False,
        )
    assert error.value.messages == [str(services.CONSENT_REQUIRED_MESSAGE)]
    assert not CoalitionMembership.objects.filter(organization=organization).exists()


def test_join_page_requires_consent(client, network, org_factory, member_factory):
    organization = org_factory("Newcomer")
    admin = member_factory(organization, "admin")
    login(client, admin.user)
    url = reverse("coalitions:coalition_join", args=[network["coalition"].slug])
    # Without the code, the page says nothing about the coalition.
    first = client.get(url).content.decode()
    assert "Network" not in first and "What is shared" not in first
    wrong = client.post(url, {"join_code": "guess"})
    assert wrong.status_code == 400 and "Network" not in wrong.content.decode()
    page = client.post(url, {"join_code": network["code"]}).content.decode()
    for heading in ("What is shared", "What is never shared", "Who sees what", "The risk that remains", "Withdrawing"):
        assert heading in page
    for member in network["organizations"]:
        assert member.name in page
    step = {"organization": organization.pk, "join_code": network["code"], "consent_step": "1"}
    response = client.post(url, step)
    assert str(services.CONSENT_REQUIRED_MESSAGE) in response.content.decode()
    assert not CoalitionMembership.objects.filter(organization=organization).exists()
    client.post(url, {**step, "consent": "on"})
    assert CoalitionMembership.objects.filter(organization=organization, withdrawn_at=None).exists()


def test_join_codes_cannot_be_guessed_quickly(client, settings, network, org_factory, member_factory):
    cache.clear()
    settings.ALLY_RATE_LIMITS = {**settings.ALLY_RATE_LIMITS, "join-code": (3, 100, 600)}
    admin = member_factory(org_factory("Guesser"), "admin")
    login(client, admin.user)
    url = reverse("coalitions:coalition_join", args=[network["coalition"].slug])
    statuses = [client.post(url, {"join_code": f"guess-{n}"}).status_code for n in range(4)]
    assert statuses == [400, 400, 400, 429]
    # Even the right code waits out the limit.
    assert client.post(url, {"join_code": network["code"]}).status_code == 429


def test_steward_cannot_pad_a_coalition_with_organizations_of_their_own(network, org_factory, closed_cycles):
    """The steward runs four of the six members, and the operator is fooled into confirming them;
    with the real members counted once per admin group, too few independent members took part, so
    the year cannot be published at all (it would stay a bare count for good)."""
    steward = network["steward"]
    coalition = network["coalition"]
    CoalitionMembership.objects.filter(coalition=coalition).exclude(
        organization__in=network["organizations"][:2]
    ).update(withdrawn_at=timezone.now())
    for number in range(4):
        organization = org_factory(f"Padding {number}")
        Membership.objects.create(user=steward, organization=organization, role=Membership.Role.ADMIN)
        closed_cycles(organization, years=(YEAR,), responses=3, values=(str(number),))
        membership = services.coalition_join(
            coalition=coalition, organization=organization, by=steward, join_code=network["code"], consent=True
        )
        services.coalition_member_confirm(membership=membership)
    with pytest.raises(ValidationError) as error:
        _publish(network)
    assert "cannot be published yet" in error.value.messages[0]
    assert not BenchmarkSnapshot.objects.exists()
    assert services.snapshot_eligible_years(coalition=coalition, periods=[YEAR]) == []


def test_members_see_the_names_of_member_organizations(client, network):
    admin = network["admins"][0]
    login(client, admin.user)
    page = client.get(reverse("coalitions:coalition_detail", args=[network["coalition"].slug])).content.decode()
    assert all(o.name in page for o in network["organizations"])


def test_snapshot_publishes_only_rounded_quartiles(network):
    snapshot = _publish(network)
    overall = snapshot.stats["overall"]
    assert overall["n"] == 6 and overall["suppressed"] is False
    assert set(overall) == {"n", "suppressed", "q1", "median", "q3", "p10", "p90"}
    assert all(overall[key] % 5 == 0 for key in ("q1", "median", "q3"))
    assert overall["p10"] is None and overall["p90"] is None
    assert set(snapshot.stats) == {"consent", "confidentiality", "non_judgment", "overall"}


def test_publishing_below_k_is_refused(network):
    coalition = network["coalition"]
    coalition.k_min = 7
    coalition.save()
    with pytest.raises(ValidationError) as error:
        _publish(network)
    assert error.value.messages == [
        str(services.BELOW_K_MESSAGE % {"period": YEAR, "k": 7}),
    ]
    assert not BenchmarkSnapshot.objects.exists()


def test_each_questionnaire_version_is_its_own_series(network, questionnaire):
    """One member on another questionnaire version that year is a series of its own, suppressed
    under k; the main series holds the version most members used."""
    from assessment.models import Questionnaire

    other = Questionnaire.objects.create(slug=questionnaire.slug, version=questionnaire.version + 1, title="Next")
    Cycle.objects.filter(organization=network["organizations"][0]).update(questionnaire=other)
    snapshot = _publish(network)
    assert snapshot.versions == {"staff": questionnaire.version}
    assert snapshot.stats["overall"]["n"] == 5 and not snapshot.stats["overall"]["suppressed"]
    [series] = snapshot.other_series
    assert (series["mode"], series["version"], series["stats"]["overall"]["n"]) == ("staff", other.version, 1)
    assert series["stats"]["overall"]["suppressed"]
    assert snapshot.cycles.count() == 6


def test_published_snapshot_never_changes(network, org_factory, member_factory, closed_cycles, admin, organization):
    snapshot = _publish(network)
    before = BenchmarkSnapshot.objects.get(pk=snapshot.pk).stats
    # A member withdraws, another joins, and a member closes another cycle in the same year.
    services.coalition_withdraw(
        coalition=network["coalition"], organization=network["organizations"][0], by=network["admins"][0].user
    )
    services.coalition_join(
        coalition=network["coalition"],
        organization=organization,
        by=admin.user,
        join_code=network["code"],
        consent=True,
    )
    closed_cycles(network["organizations"][1], years=(YEAR,), responses=3, values=("4",))
    assert BenchmarkSnapshot.objects.get(pk=snapshot.pk).stats == before


def test_second_snapshot_for_a_year_is_refused(network):
    _publish(network)
    with pytest.raises(ValidationError) as error:
        _publish(network)
    assert error.value.messages == [str(services.SNAPSHOT_EXISTS_MESSAGE % {"period": YEAR})]
    assert BenchmarkSnapshot.objects.count() == 1


def test_future_year_is_refused(network):
    with pytest.raises(ValidationError):
        _publish(network, year=2999)
    assert not BenchmarkSnapshot.objects.exists()


def test_withdrawn_and_non_consenting_members_are_left_out(network, org_factory, closed_cycles):
    outsider = org_factory("Not a member")
    closed_cycles(outsider, years=(YEAR,), responses=3)
    services.coalition_withdraw(
        coalition=network["coalition"], organization=network["organizations"][0], by=network["admins"][0].user
    )
    snapshot = _publish(network)
    assert snapshot.stats["overall"]["n"] == 5


def test_only_cycles_closed_in_the_year_count(network):
    Cycle.objects.filter(organization=network["organizations"][0]).update(closed_on="2024-12-31")
    assert _publish(network).stats["overall"]["n"] == 5


def _member_scores(network) -> list[float]:
    scores = []
    for cycle in Cycle.objects.filter(organization__in=network["organizations"]):
        scores.append(cycle.results["overall"]["mean"])
        scores.extend(summary["mean"] for summary in cycle.results["dimensions"].values())
    return scores


def test_stewards_never_receive_a_members_score(client, network):
    _publish(network)
    login(client, network["steward"])
    coalition = network["coalition"]
    bodies = [
        client.get(reverse("coalitions:coalition_detail", args=[coalition.slug])).content.decode(),
        client.get(reverse("coalitions:benchmark", args=[coalition.slug, YEAR])).content.decode(),
        client.post(reverse("coalitions:join_code_renew", args=[coalition.slug])).content.decode(),
        client.post(
            reverse("coalitions:snapshot_publish", args=[coalition.slug]), {"period": YEAR}, follow=True
        ).content.decode(),
    ]
    for organization in network["organizations"]:
        cycle = Cycle.objects.get(organization=organization)
        for name in ("reports:cycle_report", "reports:report_csv", "reports:report_json", "reports:report_xlsx"):
            response = client.get(reverse(name, args=[organization.slug, cycle.id]))
            assert response.status_code == 404
    # Published figures are multiples of 5; any other member score in a page would be a leak.
    distinctive = [score for score in _member_scores(network) if score % 5]
    assert len(distinctive) >= 6
    for body in bodies:
        assert "Your score" not in body and "Where Member" not in body
        for score in distinctive:
            for text in {f"{score:.1f}", f"{score:.2f}", repr(score)}:
                assert not re.search(rf"(?<![\d.]){re.escape(text)}(?![\d])", body), text
    assert "Member 0" in bodies[0]  # stewards do see who is a member


def test_member_sees_its_quartile(client, network):
    _publish(network)
    admin = network["admins"][4]  # the organization that answered "4" throughout
    login(client, admin.user)
    page = client.get(reverse("coalitions:benchmark", args=[network["coalition"].slug, YEAR])).content.decode()
    assert "Where Member 4 stands" in page
    assert "4 of 4" in page
    assert "Where Member 0 stands" not in page


def test_steward_who_is_a_member_admin_sees_only_that_member(client, network):
    _publish(network)
    admin = network["admins"][2]
    network["coalition"].stewards.add(admin.user)
    login(client, admin.user)
    page = client.get(reverse("coalitions:coalition_detail", args=[network["coalition"].slug])).content.decode()
    assert "Where Member 2 stands" in page
    assert page.count("Your score") == 1


def test_report_shows_the_coalition_position(client, network):
    _publish(network)
    admin = network["admins"][1]
    cycle = Cycle.objects.get(organization=admin.organization)
    login(client, admin.user)
    page = client.get(reverse("reports:cycle_report", args=[admin.organization.slug, cycle.id])).content.decode()
    assert f"Against Network ({YEAR})" in page
    assert "chart-coalition-network" in page


def test_withdrawal_by_admin(client, network):
    admin = network["admins"][3]
    login(client, admin.user)
    client.post(
        reverse("coalitions:coalition_withdraw", args=[network["coalition"].slug]),
        {"organization": admin.organization.slug},
    )
    membership = CoalitionMembership.objects.get(organization=admin.organization)
    assert membership.withdrawn_at is not None and membership.withdrawn_by == admin.user
    page = client.get(reverse("coalitions:coalition_detail", args=[network["coalition"].slug]))
    assert page.status_code == 404


def test_member_staff_sees_benchmark_when_reports_are_allowed(client, network, member_factory):
    staff = member_factory(network["organizations"][0], "staff")
    _publish(network)
    login(client, staff.user)
    url = reverse("coalitions:benchmark", args=[network["coalition"].slug, YEAR])
    assert client.get(url).status_code == 200
    network["organizations"][0].staff_can_view_reports = False
    network["organizations"][0].save()
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("period", ["²", "", "2o25", "99999999999999999999"])
def test_a_bad_publish_period_gets_a_message(client, network, period):
    login(client, network["steward"])
    response = client.post(
        reverse("coalitions:snapshot_publish", args=[network["coalition"].slug]), {"period": period}, follow=True
    )
    assert response.status_code == 200
    assert "Choose a past or current calendar year." in response.content.decode()
    assert not BenchmarkSnapshot.objects.exists()


def test_settings_page_lists_coalitions_and_withdraws(client, network):
    admin = network["admins"][2]
    login(client, admin.user)
    url = reverse("accounts:org_settings", args=[admin.organization.slug])
    page = client.get(url).content.decode()
    withdraw = reverse("coalitions:coalition_withdraw", args=[network["coalition"].slug])
    confirm = f"{withdraw}?organization={admin.organization.slug}"
    # A link to a confirmation page, not a form that withdraws in one click from the list.
    assert "Withdraw from Network" in page and f'href="{confirm}"' in page and f'action="{withdraw}"' not in page
    response = client.get(confirm)
    assert response.status_code == 200
    confirmation = response.content.decode()
    undone = confirmation[confirmation.index('id="cannot-be-undone"') :]
    assert f"{admin.organization.name} is left out of every figure Network publishes from now on" in undone
    assert "Figures already published stay as they are" in undone
    assert CoalitionMembership.objects.filter(organization=admin.organization, withdrawn_at=None).exists()
    # Another organization's admin, or a withdrawn membership, gets no such page.
    other = network["admins"][3]
    assert client.get(f"{withdraw}?organization={other.organization.slug}").status_code == 404
    client.post(withdraw, {"organization": admin.organization.slug})
    assert not CoalitionMembership.objects.filter(organization=admin.organization, withdrawn_at=None).exists()
    assert client.get(confirm).status_code == 404
    page = client.get(url).content.decode()
    assert "Withdraw from Network" not in page and "withdrawn" in page


def test_self_audits_and_staff_surveys_are_separate_series(network, admin, lead):
    from assessment.services.cycles import cycle_create
    from assessment.services.responding import response_save_answers, response_submit
    from tests.conftest import full_answers

    organization = network["organizations"][0]
    team = cycle_create(
        organization=organization,
        by=network["admins"][0].user,
        questionnaire=Cycle.objects.filter(organization=organization).first().questionnaire,
        label="Leadership",
        mode="team",
        opens_on=f"{YEAR}-02-01",
    )
    response = team.responses.get()
    response_save_answers(response=response, answers=full_answers(team.questionnaire, "4"))
    response_submit(response=response, user=network["admins"][0].user)
    Cycle.objects.filter(pk=team.pk).update(closed_on=f"{YEAR}-02-20")
    snapshot = _publish(network)
    assert snapshot.stats["overall"]["n"] == 6  # the self-audit is not mixed into the staff series
    assert snapshot.team_stats["overall"] == {
        "n": 1,
        "suppressed": True,
        "q1": None,
        "median": None,
        "q3": None,
        "p10": None,
        "p90": None,
    }
    assert snapshot.scoring_version == 3


def test_only_staff_surveys_leave_no_self_audit_series(network):
    assert _publish(network).team_stats == {}


def test_a_snapshot_from_before_scoring_version_2_says_so(client, network):
    snapshot = _publish(network)
    BenchmarkSnapshot.objects.filter(pk=snapshot.pk).update(scoring_version=1)
    login(client, network["admins"][0].user)
    page = client.get(reverse("coalitions:benchmark", args=[network["coalition"].slug, YEAR])).content.decode()
    assert 'id="scoring-version-note"' in page


def test_coalition_events_are_logged_for_stewards_without_scores(client, network):
    from coalitions.models import CoalitionEvent

    _publish(network)
    services.coalition_withdraw(
        coalition=network["coalition"], organization=network["organizations"][5], by=network["admins"][5].user
    )
    actions = list(CoalitionEvent.objects.filter(coalition=network["coalition"]).values_list("action", flat=True))
    assert sorted(set(actions)) == ["confirmed", "created", "joined", "published", "withdrawn"]
    assert actions.count("joined") == 6 and actions.count("confirmed") == 6
    for event in CoalitionEvent.objects.all():
        assert set(event.data) <= {"organization", "period", "k_min", "through"}
    login(client, network["steward"])
    page = client.get(reverse("coalitions:coalition_detail", args=[network["coalition"].slug])).content.decode()
    assert 'id="coalition-events"' in page and "Figures published" in page


def test_a_member_sees_the_score_that_was_published_not_a_later_one(client, network, closed_cycles):
    snapshot = _publish(network)
    organization = network["organizations"][0]
    published = Cycle.objects.get(organization=organization)
    assert list(snapshot.cycles.filter(organization=organization)) == [published]
    # A later survey of the same year closes with every answer at the top.
    later = closed_cycles(organization, years=(YEAR,), responses=3, values=("4",))[0]
    assert later.means["overall"] != published.means["overall"]
    login(client, network["admins"][0].user)
    page = client.get(reverse("coalitions:benchmark", args=[network["coalition"].slug, YEAR])).content.decode()
    own = page[page.index('id="own-table-') :]
    overall = own[own.index(">Overall<") :].split("</tr>")[0]
    shown = re.findall(r'<td class="num">\s*(\d+)\s*</td>', overall)[-1]
    assert int(shown) == round(publishable(published.means["overall"], 6))
    assert published.label in page


def test_percentile_columns_appear_only_when_the_figures_hold_them(client, network):
    """The 10th and 90th percentiles are published from 20 members on; a smaller year's table has
    no such columns instead of columns that are always empty."""
    from dataclasses import asdict

    from coalitions.benchmarks import benchmark_stats

    _publish(network)
    login(client, network["steward"])
    coalition = network["coalition"]
    page = client.get(reverse("coalitions:benchmark", args=[coalition.slug, YEAR])).content.decode()
    table = page[page.index('id="benchmark-table"') : page.index("</table>", page.index('id="benchmark-table"'))]
    assert "Median" in table and "10th percentile" not in table and "90th percentile" not in table

    wide = asdict(benchmark_stats([40 + index for index in range(20)], 5))
    assert wide["p10"] is not None
    BenchmarkSnapshot.objects.create(coalition=coalition, period=YEAR - 1, stats={"overall": wide})
    page = client.get(reverse("coalitions:benchmark", args=[coalition.slug, YEAR - 1])).content.decode()
    table = page[page.index('id="benchmark-table"') : page.index("</table>", page.index('id="benchmark-table"'))]
    assert "10th percentile" in table and "90th percentile" in table
    cells = re.findall(r'<td class="num">([^<]*)</td>', table)
    assert cells == [
        "20",
        f"{wide['p10']:.0f}",
        f"{wide['q1']:.0f}",
        f"{wide['median']:.0f}",
        f"{wide['q3']:.0f}",
        f"{wide['p90']:.0f}",
    ]


def test_steward_sees_which_year_is_ready_to_publish(client, network):
    login(client, network["steward"])
    url = reverse("coalitions:coalition_detail", args=[network["coalition"].slug])
    page = client.get(url).content.decode()
    readiness = page[page.index('id="publish-readiness"') : page.index("</div>", page.index('id="publish-readiness"'))]
    assert f"The figures for {YEAR} are ready to publish." in readiness
    assert f"The figures for {YEAR - 1} are ready" not in readiness  # nobody closed an audit then
    _publish(network)
    page = client.get(url).content.decode()
    readiness = page[page.index('id="publish-readiness"') : page.index("</div>", page.index('id="publish-readiness"'))]
    assert "are ready to publish" not in readiness and "No year can be published yet" in readiness


def test_a_year_below_the_minimum_is_not_ready(client, network):
    for organization, admin in list(zip(network["organizations"], network["admins"], strict=True))[:2]:
        services.coalition_withdraw(coalition=network["coalition"], organization=organization, by=admin.user)
    login(client, network["steward"])
    page = client.get(reverse("coalitions:coalition_detail", args=[network["coalition"].slug])).content.decode()
    assert "are ready to publish" not in page and "No year can be published yet" in page
