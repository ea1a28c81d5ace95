"""The benchmark: a synthetic dataset built with bulk writes, and in-process measurements of the
pages and actions DESIGN §10 names, as ratios to a trivial login-required page."""

import random
import statistics
import time
from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Organization, User
from assessment.demo import CHECKLIST_2_PATH, STAFF_2_PATH, load_instrument
from assessment.models import Cycle
from assessment.services.cycles import cycle_close, cycle_closed_import, cycle_create
from assessment.services.links import shared_link_create
from assessment.services.responding import member_response_start, staff_draft_save, staff_draft_submit
from coalitions.models import BenchmarkSnapshot, Coalition, CoalitionMembership
from coalitions.services import CONSENT_VERSION, snapshot_eligible_years, snapshot_publish
from reports.models import Action
from reports.services import organization_reports_build

SCALES = {"S": 10, "M": 200, "L": 1000}
YEARS = (2024, 2025, 2026)
RESPONSES = 20
FLOOR = "floor (trivial login-required page)"
PASSWORD_HASH = "!"  # bench accounts cannot log in with a password; the client logs in directly


def build(scale: str, progress: Callable[[str], None], organizations: int | None = None) -> dict:
    """Build the dataset of a scale (or of that many organizations) and return the handles the
    measurements need."""
    n = organizations or SCALES[scale]
    rnd = random.Random(f"ally-bench-{scale}")
    staff_form, checklist = load_instrument(STAFF_2_PATH), load_instrument(CHECKLIST_2_PATH)
    staff_items = {i.key: i for i in staff_form.items.all()}
    checklist_items = {i.key: i for i in checklist.items.all()}
    steward = User.objects.create(email=f"steward@bench-{scale.lower()}.example", password=PASSWORD_HASH)
    coalition = Coalition.objects.create(name=f"Bench {scale}", slug=f"bench-{scale.lower()}", join_code_hash="x" * 64)
    coalition.stewards.add(steward)
    built: list[Organization] = []
    for start in range(0, n, 50):
        with transaction.atomic():
            batch = _organizations(scale, start, min(n, start + 50))
            for organization in batch:
                _audits(organization, rnd, staff_form, staff_items, checklist, checklist_items)
            # Each member consents and is confirmed, as the operator would with `manage.py confirm_member`.
            confirmed_at = timezone.now()
            CoalitionMembership.objects.bulk_create(
                CoalitionMembership(
                    coalition=coalition,
                    organization=o,
                    consent_version=CONSENT_VERSION,
                    confirmed_at=confirmed_at,
                    confirmed_through=CoalitionMembership.Confirmation.COMMAND,
                )
                for o in batch
            )
            built.extend(batch)
        progress(f"{len(built)} of {n} organizations built")
    # A year is published only with enough members; a bench of fewer than five has none.
    for year in snapshot_eligible_years(coalition=coalition, periods=YEARS[:-1]):
        snapshot_publish(coalition=coalition, period=year, by=steward)
    progress("snapshots published")
    # The measured organization's reports, as the task after each close stores them.
    organization_reports_build(organization_id=built[0].pk)
    lead = Membership.objects.get(organization=built[0], role=Membership.Role.LEAD).user
    return {
        "organization": built[0],
        "lead": lead,
        "steward": steward,
        "coalition": coalition,
        "staff_form": staff_form,
    }


def _organizations(scale: str, start: int, end: int) -> list[Organization]:
    organizations = Organization.objects.bulk_create(
        Organization(name=f"Bench {scale} organization {i}", slug=f"bench-{scale.lower()}-{i}", sector="social")
        for i in range(start, end)
    )
    users = User.objects.bulk_create(
        User(email=f"{role}{i}@bench-{scale.lower()}.example", password=PASSWORD_HASH)
        for i in range(start, end)
        for role in ("admin", "lead")
    )
    Membership.objects.bulk_create(
        Membership(user=users[2 * k + r], organization=organizations[k], role=role)
        for k in range(len(organizations))
        for r, role in enumerate((Membership.Role.ADMIN, Membership.Role.LEAD))
    )
    return organizations


def answer_set(items, level: float, rnd: random.Random) -> dict[str, str]:
    """One person's answers as a form posts them: "0"–"4", or "dk" for one in twenty."""
    answers = {}
    for key, item in items.items():
        if rnd.random() < 0.05:
            answers[key] = "dk"
            continue
        good = min(1.0, max(0.0, level + rnd.gauss(0, 0.25)))
        value = round(good * item.max_value)
        answers[key] = str(item.max_value - value if item.reverse else value)
    return answers


def _audits(organization, rnd, staff_form, staff_items, checklist, checklist_items) -> None:
    """Three closed staff surveys and a self-audit, through the close's bulk path; one survey a
    year, each closed eleven months before the next opens, as the rules on opening them allow."""
    level = rnd.uniform(0.35, 0.75)
    previous = None
    for index, year in enumerate(YEARS):
        cycle = cycle_closed_import(
            organization=organization,
            questionnaire=staff_form,
            mode=Cycle.Mode.STAFF,
            label=f"{year} staff",
            opens_on=date(year, 3, 1),
            closed_on=date(year, 4, 1),
            min_responses=5,
            answer_sets=[answer_set(staff_items, level + 0.05 * index, rnd) for _ in range(RESPONSES)],
        )
        if previous is not None:
            Action.objects.create(
                organization=organization,
                source_cycle=previous,
                practice="police-contact-consent",
                practice_text="Police contact only with consent",
                what="Write and train the rule",
                status=Action.Status.DONE,
            )
        previous = cycle
    cycle_closed_import(
        organization=organization,
        questionnaire=checklist,
        mode=Cycle.Mode.TEAM,
        label=f"{YEARS[-1]} team",
        opens_on=date(YEARS[-1], 3, 1),
        closed_on=date(YEARS[-1], 4, 1),
        min_responses=5,
        answer_sets=[answer_set(checklist_items, level + 0.2, rnd)],
    )


def _time(function) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        function()
        elapsed = time.perf_counter() - start
    return elapsed, len(queries)


def pages(handles: dict) -> dict:
    """The measured pages: name -> (logged-in client, URL), the floor first."""
    organization, lead, steward = handles["organization"], handles["lead"], handles["steward"]
    coalition = handles["coalition"]
    latest = Cycle.objects.filter(organization=organization, mode=Cycle.Mode.STAFF).latest("closed_on")
    lead_client, steward_client = Client(HTTP_HOST="localhost"), Client(HTTP_HOST="localhost")
    lead_client.force_login(lead, backend="django.contrib.auth.backends.ModelBackend")
    steward_client.force_login(steward, backend="django.contrib.auth.backends.ModelBackend")
    report = reverse("reports:cycle_report", args=[organization.slug, latest.id])
    return {
        FLOOR: (lead_client, reverse("assessment:calendar", args=[organization.slug])),
        "dashboard": (lead_client, organization.get_absolute_url()),
        "report": (lead_client, report),
        "trend": (lead_client, reverse("reports:trend", args=[organization.slug])),
        "export CSV": (lead_client, reverse("reports:report_csv", args=[organization.slug, latest.id])),
        "export XLSX": (lead_client, reverse("reports:report_xlsx", args=[organization.slug, latest.id])),
        "export JSON": (lead_client, reverse("reports:report_json", args=[organization.slug, latest.id])),
        "board summary print": (lead_client, reverse("reports:board_summary", args=[organization.slug, latest.id])),
        "benchmark view": (lead_client, reverse("coalitions:benchmark", args=[coalition.slug, YEARS[0]])),
        "steward page": (steward_client, reverse("coalitions:coalition_detail", args=[coalition.slug])),
    }


def measure(handles: dict, runs: int, progress: Callable[[str], None]) -> dict:
    """Measure every page and action; return medians, p95s, query counts and ratios to the floor."""
    measured = pages(handles)
    for client, url in measured.values():  # warm: stored reports built, caches filled
        assert client.get(url).status_code == 200, url
    samples: dict[str, list[float]] = {name: [] for name in measured}
    queries = {}
    for run in range(runs):
        for name, (client, url) in measured.items():  # interleaved, so drift hits every page alike
            elapsed, count = _time(lambda c=client, u=url: c.get(u))
            samples[name].append(elapsed)
            queries[name] = count
        if (run + 1) % 10 == 0:
            progress(f"{run + 1} of {runs} rounds measured")
    results = {name: _summary(values, queries[name]) for name, values in samples.items()}
    floor = results[FLOOR]["median_ms"]
    for row in results.values():
        row["ratio_to_floor"] = round(row["median_ms"] / floor, 2)
    results.update(_actions(handles, runs, floor))
    lead_client = measured[FLOOR][0]
    handles["load"] = {  # for --load and --browser: the lead's session, and the pages they open
        "cookie": f"{settings.SESSION_COOKIE_NAME}={lead_client.cookies[settings.SESSION_COOKIE_NAME].value}",
        "floor": measured[FLOOR][1],
        "report": measured["report"][1],
        "dashboard": measured["dashboard"][1],
        "survey": survey_link(handles),
    }
    return results


def survey_link(handles: dict) -> str:
    """Open a staff survey at another organization (the measured one has just closed its own) and
    return the path of its shared link: the page a staff member opens on their phone."""
    organization = Organization.objects.exclude(pk=handles["organization"].pk).order_by("name").first()
    if organization is None:
        return ""
    cycle = open_survey(organization, handles["staff_form"])
    lead = Membership.objects.filter(organization=organization, role=Membership.Role.LEAD).earliest("pk").user
    return reverse("assessment:link_landing", args=[shared_link_create(cycle=cycle, by=lead)])


def _summary(values, count) -> dict:
    ordered = sorted(values)
    return {
        "median_ms": round(1000 * statistics.median(ordered), 2),
        "p95_ms": round(1000 * ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 2),
        "queries": count,
    }


def open_survey(organization, form, *, min_responses: int = 1000) -> Cycle:
    """Open a staff survey whose minimum is far off, so a submission waits sealed, as most do."""
    # Through the service, so the benchmark obeys the rules on opening staff surveys as data does.
    lead = Membership.objects.filter(organization=organization, role=Membership.Role.LEAD).earliest("pk").user
    return cycle_create(
        organization=organization,
        by=lead,
        questionnaire=form,
        label="bench open",
        mode=Cycle.Mode.STAFF,
        opens_on=timezone.localdate(),
        min_responses=min_responses,
    )


def ready_draft(cycle, items, number: int, rnd: random.Random):
    """Return the saved draft of a new staff member who has answered every question."""
    organization = cycle.organization
    user = User.objects.create(email=f"submitter{number}@{organization.slug}.example", password=PASSWORD_HASH)
    Membership.objects.create(user=user, organization=organization, role=Membership.Role.STAFF)
    answers = answer_set(items, 0.6, rnd)
    return staff_draft_save(cycle=cycle, draft=member_response_start(cycle=cycle, user=user), answers=answers)


def _actions(handles, runs, floor) -> dict:
    """Submitting one response, closing a survey, publishing a snapshot."""
    organization, staff_form = handles["organization"], handles["staff_form"]
    items = {i.key: i for i in staff_form.items.all()}
    cycle = open_survey(organization, staff_form)
    rnd = random.Random("bench-submit")
    submits = []
    for number in range(max(5, runs // 3)):
        draft = ready_draft(cycle, items, number, rnd)
        submits.append(_time(lambda d=draft: staff_draft_submit(cycle=cycle, draft=d)))
    close = _time(lambda: cycle_close(cycle=cycle, by=handles["lead"]))
    coalition = handles["coalition"]
    BenchmarkSnapshot.objects.filter(coalition=coalition, period=YEARS[-1]).delete()
    publish = _time(lambda: snapshot_publish(coalition=coalition, period=YEARS[-1], by=handles["steward"]))
    rows = {
        "submit a response": _summary([t for t, _ in submits], submits[-1][1]),
        "close a survey": _summary([close[0]], close[1]),
        "publish a snapshot": _summary([publish[0]], publish[1]),
    }
    for row in rows.values():
        row["ratio_to_floor"] = round(row["median_ms"] / floor, 2)
    return rows
