"""Every page the benchmark measures costs the same number of queries whatever the size of the
organization's history or of the coalition; submitting one response stays within 15."""

import random

from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.services.responding import staff_draft_submit
from home import bench
from tests.conftest import count_queries


def _counts(handles) -> dict:
    counts = {}
    for name, (client, url) in bench.pages(handles).items():
        count_queries(client, url)  # the session's first request decides its two-factor rule
        counts[name] = count_queries(client, url)
    return counts


def test_every_measured_page_costs_the_same_queries_at_two_sizes(db):
    # Five organizations, the fewest whose coalition figures can be published.
    small = bench.build("S", lambda text: None, organizations=5)
    large = bench.build("M", lambda text: None, organizations=12)
    small_counts, large_counts = _counts(small), _counts(large)
    assert small_counts == large_counts
    assert max(large_counts.values()) <= 15
    # The session, the person, their membership and the page's one read: the two-factor rule is
    # decided once per session, not on every request.
    assert small_counts[bench.FLOOR] == 4


def test_submitting_a_response_takes_at_most_15_queries(db):
    handles = bench.build("S", lambda text: None, organizations=1)
    form = handles["staff_form"]
    cycle = bench.open_survey(handles["organization"], form, min_responses=5)
    items = {item.key: item for item in form.items.all()}
    draft = bench.ready_draft(cycle, items, 1, random.Random(1))
    with CaptureQueriesContext(connection) as queries:
        staff_draft_submit(cycle=cycle, draft=draft)
    assert len(queries) <= 15
