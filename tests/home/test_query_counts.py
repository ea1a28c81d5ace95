"""Every page the benchmark measures costs the same number of queries whatever the size of the
organization's history or of the coalition; submitting one response stays within 15."""

import random

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Membership, User
from assessment.models import Cycle
from assessment.services.responding import member_response_start, staff_draft_save, staff_draft_submit
from home import bench


def _counts(handles) -> dict:
    counts = {}
    for name, (client, url) in bench.pages(handles).items():
        assert client.get(url).status_code == 200, url  # the first view may build and store a report
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        counts[name] = len(queries)
    return counts


def test_every_measured_page_costs_the_same_queries_at_two_sizes(db):
    small = bench.build("S", lambda text: None, organizations=2)
    large = bench.build("M", lambda text: None, organizations=12)
    small_counts, large_counts = _counts(small), _counts(large)
    assert small_counts == large_counts
    assert max(large_counts.values()) <= 15


def test_submitting_a_response_takes_at_most_15_queries(db):
    handles = bench.build("S", lambda text: None, organizations=1)
    organization, form = handles["organization"], handles["staff_form"]
    cycle = Cycle.objects.create(
        organization=organization,
        questionnaire=form,
        label="Open survey",
        mode=Cycle.Mode.STAFF,
        opens_on=timezone.localdate(),
        status=Cycle.Status.OPEN,
        min_responses=5,
    )
    user = User.objects.create(email="someone@bench.example", password="!")
    Membership.objects.create(user=user, organization=organization, role=Membership.Role.STAFF)
    items = {item.key: item for item in form.items.all()}
    answers = {key: str(value) for key, value in bench.answer_set(items, 0.6, random.Random(1)).items()}
    draft = staff_draft_save(cycle=cycle, draft=member_response_start(cycle=cycle, user=user), answers=answers)
    with CaptureQueriesContext(connection) as queries:
        staff_draft_submit(cycle=cycle, draft=draft)
    assert len(queries) <= 15
