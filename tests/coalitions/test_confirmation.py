"""A member counts toward a coalition's minimum only once the site's operator, not a steward,
has confirmed it is a real, separate organization."""

import html
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.template.loader import get_template
from django.urls import reverse

from accounts.models import Membership
from assessment.models import Cycle
from coalitions import selectors, services
from coalitions.models import BenchmarkSnapshot, CoalitionEvent, CoalitionMembership
from tests.conftest import login

YEAR = 2025
NOTHING_BUT_N = {"suppressed": True, "q1": None, "median": None, "q3": None, "p10": None, "p90": None}


def _round_to_5(score: float) -> float:
    return float(int(score / 5 + 0.5) * 5)


@pytest.fixture
def sybil_coalition(org_factory, member_factory, user_factory, closed_cycles):
    """A steward signs up four times with plus-addresses of one mailbox, runs four "independent"
    member organizations (two scoring low, two high), and one real organization joins."""
    steward = user_factory("sam@example.org")
    coalition, code = services.coalition_create(user=steward, name="Harbour Network")
    fakes = []
    for number, value in enumerate(("0", "0", "4", "4"), start=1):
        alias = user_factory(f"sam+{number}@example.org")
        organization = org_factory(f"Harbour Service {number}")
        Membership.objects.create(user=alias, organization=organization, role=Membership.Role.ADMIN)
        closed_cycles(organization, years=(YEAR,), responses=3, values=(value,))
        services.coalition_join(coalition=coalition, organization=organization, by=alias, join_code=code, consent=True)
        fakes.append(organization)
    real = org_factory("Real Clinic")
    real_admin = member_factory(real, "admin")
    closed_cycles(real, years=(YEAR,), responses=3, values=("2", "3"))
    services.coalition_join(coalition=coalition, organization=real, by=real_admin.user, join_code=code, consent=True)
    return {
        "coalition": coalition,
        "code": code,
        "steward": steward,
        "fakes": fakes,
        "real": real,
        "real_admin": real_admin,
    }


def _membership(world, organization) -> CoalitionMembership:
    return CoalitionMembership.objects.get(coalition=world["coalition"], organization=organization, withdrawn_at=None)


@pytest.fixture
def operator(user_factory):
    user = user_factory("operator@example.org")
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    return user


def test_steward_cannot_pad_a_coalition_with_plus_addressed_sign_ups(client, sybil_coalition):
    """Four accounts of one mailbox are four different admins to the shared-admin rule; only the
    operator's confirmation keeps the steward's own organizations out of the count."""
    world = sybil_coalition
    call_command("confirm_member", world["coalition"].slug, world["real"].slug, stdout=StringIO())
    fake_scores = sorted(Cycle.objects.get(organization=o).means["overall"] for o in world["fakes"])
    real_score = Cycle.objects.get(organization=world["real"]).means["overall"]
    # The steward knows the four fake scores: two below the real member's, two above.
    assert fake_scores[1] < real_score < fake_scores[2]
    # Were the fakes counted, the year would publish a median that is the real member's score,
    # rounded (``_round_to_5(real_score)``). With one confirmed member it cannot be published.
    with pytest.raises(ValidationError) as error:
        services.snapshot_publish(coalition=world["coalition"], period=YEAR, by=world["steward"])
    assert "cannot be published yet" in error.value.messages[0]
    assert not BenchmarkSnapshot.objects.exists()
    login(client, world["steward"])
    page = client.get(reverse("coalitions:coalition_detail", args=[world["coalition"].slug])).content.decode()
    assert "4 members are not yet confirmed" in page
    page = client.get(reverse("coalitions:snapshot_publish", args=[world["coalition"].slug])).content.decode()
    assert 'id="nothing-to-publish"' in page and 'id="publish-form"' not in page
    assert _round_to_5(real_score) is not None


def test_steward_cannot_confirm_even_as_a_superuser_or_a_member_admin(client, sybil_coalition):
    world = sybil_coalition
    steward = world["steward"]
    steward.is_staff = steward.is_superuser = True
    steward.save(update_fields=["is_staff", "is_superuser"])
    fake = _membership(world, world["fakes"][0])
    Membership.objects.create(user=steward, organization=fake.organization, role=Membership.Role.ADMIN)
    with pytest.raises(ValidationError) as error:
        services.coalition_member_confirm(membership=fake, by=steward)
    assert error.value.messages == [str(services.CONFIRM_BY_STEWARD_MESSAGE)]
    # Nor through the Django admin, where a superuser can do everything else.
    login(client, steward)
    changelist = reverse("admin:coalitions_coalitionmembership_changelist")
    response = client.post(
        changelist,
        {"action": "confirm", "_selected_action": [str(m.pk) for m in CoalitionMembership.objects.all()]},
        follow=True,
    )
    assert str(services.CONFIRM_BY_STEWARD_MESSAGE) in response.content.decode()
    assert not CoalitionMembership.objects.exclude(confirmed_at=None).exists()
    assert not CoalitionEvent.objects.filter(action=CoalitionEvent.Action.CONFIRMED).exists()


def test_an_admin_of_the_organization_cannot_confirm_it(sybil_coalition):
    world = sybil_coalition
    admin = world["real_admin"].user
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    with pytest.raises(ValidationError) as error:
        services.coalition_member_confirm(membership=_membership(world, world["real"]), by=admin)
    assert error.value.messages == [str(services.CONFIRM_BY_OWN_ADMIN_MESSAGE)]


def test_only_operators_confirm(sybil_coalition, user_factory):
    world = sybil_coalition
    someone = user_factory("someone@example.org")
    with pytest.raises(ValidationError) as error:
        services.coalition_member_confirm(membership=_membership(world, world["real"]), by=someone)
    assert error.value.messages == [str(services.CONFIRM_OPERATOR_ONLY_MESSAGE)]


def test_operator_confirms_in_the_admin_and_the_coalition_log_says_so(client, sybil_coalition, operator):
    world = sybil_coalition
    real = _membership(world, world["real"])
    login(client, operator)
    changelist = reverse("admin:coalitions_coalitionmembership_changelist")
    waiting = client.get(changelist, {"confirmed": "no"}).content.decode()
    assert "Real Clinic" in waiting and "Harbour Service 1" in waiting
    # The change page shows what the operator needs to judge: the admins' and the stewards' addresses.
    fake = _membership(world, world["fakes"][0])
    detail = client.get(reverse("admin:coalitions_coalitionmembership_change", args=[fake.pk])).content.decode()
    assert "sam+1@example.org" in detail and "sam@example.org" in detail
    client.post(changelist, {"action": "confirm", "_selected_action": [str(real.pk)]})
    real.refresh_from_db()
    assert real.confirmed_by == operator and real.confirmed_at is not None
    assert real.confirmed_through == CoalitionMembership.Confirmation.ADMIN
    event = CoalitionEvent.objects.get(action=CoalitionEvent.Action.CONFIRMED)
    assert event.actor == operator and event.data == {"organization": "Real Clinic", "through": "admin"}
    # The operator's change page cannot rewrite a consent or a confirmation.
    change = reverse("admin:coalitions_coalitionmembership_change", args=[real.pk])
    client.post(change, {"consent_version": "9", "confirmed_at": ""})
    real.refresh_from_db()
    assert real.consent_version == services.CONSENT_VERSION and real.confirmed_at is not None
    assert client.post(reverse("admin:coalitions_coalitionmembership_delete", args=[real.pk])).status_code == 403
    login(client, world["steward"])
    page = client.get(reverse("coalitions:coalition_detail", args=[world["coalition"].slug])).content.decode()
    page = html.unescape(page)
    assert "Member confirmed by the site's operator" in page and "in the site's administration pages" in page


def test_the_command_lists_waiting_members_and_confirms_one(sybil_coalition):
    world = sybil_coalition
    out = StringIO()
    call_command("unconfirmed_members", world["coalition"].slug, stdout=out)
    listing = out.getvalue()
    assert f"{world['coalition'].slug} {world['fakes'][0].slug}" in listing
    assert "its admins: sam+1@example.org" in listing and "the coalition's stewards: sam@example.org" in listing
    assert "5 waiting" in listing
    call_command("confirm_member", world["coalition"].slug, world["real"].slug, stdout=StringIO())
    real = _membership(world, world["real"])
    assert real.confirmed_by is None and real.confirmed_through == CoalitionMembership.Confirmation.COMMAND
    event = CoalitionEvent.objects.get(action=CoalitionEvent.Action.CONFIRMED)
    assert event.actor is None and event.data == {"organization": "Real Clinic", "through": "command"}
    out = StringIO()
    call_command("unconfirmed_members", stdout=out)
    assert "Real Clinic" not in out.getvalue() and "4 waiting" in out.getvalue()
    with pytest.raises(CommandError, match=str(services.ALREADY_CONFIRMED_MESSAGE)):
        call_command("confirm_member", world["coalition"].slug, world["real"].slug, stdout=StringIO())
    with pytest.raises(CommandError, match="is not a current member"):
        call_command("confirm_member", world["coalition"].slug, "no-such-organization", stdout=StringIO())


def test_rejoining_needs_a_new_confirmation(sybil_coalition):
    """A withdrawal ends the consent its confirmation went with; a new consent is a new membership."""
    world = sybil_coalition
    real = _membership(world, world["real"])
    services.coalition_member_confirm(membership=real)
    assert selectors.counted_member_ids(world["coalition"]) == [world["real"].pk]
    services.coalition_withdraw(coalition=world["coalition"], organization=world["real"], by=world["real_admin"].user)
    again = services.coalition_join(
        coalition=world["coalition"],
        organization=world["real"],
        by=world["real_admin"].user,
        join_code=world["code"],
        consent=True,
    )
    assert again.pk != real.pk and not again.is_confirmed
    assert selectors.counted_member_ids(world["coalition"]) == []
    with pytest.raises(ValidationError) as error:
        services.coalition_member_confirm(membership=real)
    assert error.value.messages == [str(services.CONFIRM_WITHDRAWN_MESSAGE)]


def test_unconfirmed_members_are_listed_as_such_and_do_not_count(client, sybil_coalition):
    world = sybil_coalition
    services.coalition_member_confirm(membership=_membership(world, world["real"]))
    assert selectors.participation_counts(world["coalition"], [YEAR]) == {YEAR: 1}
    login(client, world["real_admin"].user)
    page = client.get(reverse("coalitions:coalition_detail", args=[world["coalition"].slug])).content.decode()
    assert "<li>Real Clinic</li>" in page
    assert page.count("(not yet confirmed)") == 4
    fake_admin = Membership.objects.get(organization=world["fakes"][0], role=Membership.Role.ADMIN).user
    login(client, fake_admin)
    page = client.get(reverse("coalitions:coalition_detail", args=[world["coalition"].slug])).content.decode()
    assert f'id="not-confirmed-{world["fakes"][0].slug}"' in page
    settings_page = client.get(reverse("accounts:org_settings", args=[world["fakes"][0].slug])).content.decode()
    assert "not yet confirmed by the site's operator: your scores do not count yet" in html.unescape(settings_page)


def test_the_consent_page_says_what_confirmation_does_and_does_not_prevent(client, sybil_coalition, member_factory):
    admin = member_factory(role="admin")
    login(client, admin.user)
    url = reverse("coalitions:coalition_join", args=[sybil_coalition["coalition"].slug])
    page = html.unescape(client.post(url, {"join_code": sybil_coalition["code"]}).content.decode())
    assert f"consent text version {services.CONSENT_VERSION}" in page
    assert "A member counts only once the site's operator" in page
    assert "An operator can be misled, or can side with a steward" in page
    assert 'Harbour Service 1 <span class="muted">(not yet confirmed)</span>' in page
    # Each version's words stay, so what earlier members consented to can be read again.
    for version in range(1, int(services.CONSENT_VERSION) + 1):
        get_template(f"coalitions/_consent_v{version}.html")


def test_a_year_published_as_a_bare_count_by_an_earlier_release_still_shows(client, sybil_coalition):
    """Earlier releases published years below k as a bare count; those snapshots stay and render."""
    world = sybil_coalition
    with pytest.raises(ValidationError):
        services.snapshot_publish(coalition=world["coalition"], period=YEAR, by=world["steward"])
    snapshot = BenchmarkSnapshot.objects.create(
        coalition=world["coalition"],
        period=YEAR,
        stats={"overall": {"n": 0, **NOTHING_BUT_N}},
        scoring_version=2,
        confirmed_members_only=True,
    )
    pages = [
        reverse("coalitions:coalition_detail", args=[world["coalition"].slug]),
        reverse("coalitions:benchmark", args=[world["coalition"].slug, YEAR]),
    ]
    for user in (world["steward"], world["real_admin"].user):
        login(client, user)
        for url in pages:
            assert client.get(url).status_code == 200
    # Nor does an older snapshot that holds no figures at all break a page.
    type(snapshot).objects.filter(pk=snapshot.pk).update(stats={}, confirmed_members_only=False)
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200
    assert 'id="unconfirmed-snapshot-note"' in response.content.decode()
