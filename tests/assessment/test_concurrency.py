"""Simultaneous submissions: every answer kept, none twice, no error (SQLite and PostgreSQL)."""

import threading

import pytest
from django.db import connection

from assessment.models import Cycle, PendingResponse, Response, SpentCredential
from assessment.services.cycles import cycle_close
from assessment.services.responding import member_response_start, staff_draft_save, staff_draft_submit
from tests.conftest import full_answers

SUBMITTERS = 6


@pytest.mark.django_db(transaction=True)
def test_simultaneous_submissions_are_all_kept_once(organization, lead, member_factory, questionnaire, cycle_factory):
    cycle = cycle_factory(Cycle.Mode.STAFF, min_responses=3)
    drafts = []
    for number in range(SUBMITTERS):
        member = member_factory(organization)
        draft = member_response_start(cycle=cycle, user=member.user)
        answers = full_answers(questionnaire, str(number % 5))
        drafts.append(staff_draft_save(cycle=cycle, draft=draft, answers=answers))
    barrier = threading.Barrier(SUBMITTERS)
    errors = []

    def submit(draft):
        try:
            barrier.wait()
            staff_draft_submit(cycle=cycle, draft=draft)
        except Exception as error:  # any failure, "database is locked" included, fails the test
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(draft,)) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert PendingResponse.objects.filter(cycle=cycle).count() == SUBMITTERS
    assert SpentCredential.objects.filter(cycle=cycle).count() == SUBMITTERS
    # Replaying any draft now fails cleanly: each credential was spent exactly once.
    for draft in drafts:
        with pytest.raises(Exception, match="can no longer be submitted"):
            staff_draft_submit(cycle=cycle, draft=draft)
    cycle_close(cycle=cycle, by=lead.user)
    assert Response.objects.filter(cycle=cycle, status=Response.Status.SUBMITTED).count() == SUBMITTERS
