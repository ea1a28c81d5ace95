"""Staff answers are written once, at close: each test plays a database holder or a person at a
shared computer and tries to tie answers to the person who gave them.

The database holder has every table at any moment (two backups, before and after close), the
PostgreSQL write-ahead log, and the sealed values themselves, but not the server's key.
"""

import base64
import re
import time
from collections import Counter

import pytest
from django.db import connection
from django.urls import reverse

from assessment import drafts
from assessment.models import Answer, Cycle, PendingResponse, Response
from assessment.selectors import questionnaire_pages
from assessment.services.cycles import cycle_close
from assessment.services.responding import member_response_start, staff_draft_save, staff_draft_submit
from tests.conftest import login


def _items(questionnaire):
    return [item for page in questionnaire_pages(questionnaire) for item in page.items]


def _answers(questionnaire, number: int, *, unknowns: int = 0) -> dict[str, str]:
    """A distinct, complete set of answers; the first ``unknowns`` items are "don't know"."""
    answers = {}
    for index, item in enumerate(_items(questionnaire)):
        if index < unknowns:
            answers[item.key] = "dk"
        else:
            answers[item.key] = str((number * 7 + index * (number % 3 + 1)) % (item.max_value + 1))
    return answers


def _submit(cycle, member, answers, role_group=""):
    draft = member_response_start(cycle=cycle, user=member.user)
    draft = staff_draft_save(cycle=cycle, draft=draft, answers=answers, role_group=role_group)
    staff_draft_submit(cycle=cycle, draft=draft)


def _readable_answer_sets(cycle) -> Counter:
    """Every set of answers a backup taken now shows in the clear, as a multiset."""
    by_response: dict = {}
    for answer in Answer.objects.filter(response__cycle=cycle).select_related("item"):
        by_response.setdefault(answer.response_id, {})[answer.item.key] = str(answer.special or answer.value)
    return Counter(tuple(sorted(answers.items())) for answers in by_response.values())


def _every_value_in_the_database() -> list[str]:
    """Every column value of every row of every table, as text: a full backup."""
    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            values.extend(str(value) for row in cursor.fetchall() for value in row)
    return values


@pytest.mark.parametrize(("submitted", "min_responses"), [(4, 3), (7, 5), (2, 3)])
def test_backups_around_close_differ_by_a_whole_batch_or_nothing(
    organization, lead, member_factory, questionnaire, cycle_factory, submitted, min_responses
):
    """A backup before close and one after must not differ by a few people's answers: the
    difference would be exactly the late submitters, whose participation rows name them."""
    cycle = cycle_factory(Cycle.Mode.STAFF, min_responses=min_responses)
    for number in range(submitted):
        _submit(cycle, member_factory(organization), _answers(questionnaire, number))
    before = _readable_answer_sets(cycle)
    assert not before, "answers are readable before the survey closed"
    cycle_close(cycle=cycle, by=lead.user)
    after = _readable_answer_sets(cycle)
    new = after - before
    assert sum(new.values()) in (0, *range(min_responses, submitted + 1))
    assert sum(after.values()) == (submitted if submitted >= min_responses else 0)
    assert not PendingResponse.objects.filter(cycle=cycle).exists()


def test_a_role_group_is_never_stored_where_a_backup_can_read_it(
    organization, lead, member_factory, questionnaire, cycle_factory
):
    """The only volunteer is one person: no backup, before or after close, may hold "volunteer"
    next to anything, since the group of one is below the minimum."""
    cycle = cycle_factory(Cycle.Mode.STAFF, min_responses=3)
    groups = ["volunteer", "other", "other", *["frontline"] * 3, *["leadership"] * 3]
    for number, group in enumerate(groups):
        _submit(cycle, member_factory(organization), _answers(questionnaire, number), group)
    assert "volunteer" not in _every_value_in_the_database()
    closed = cycle_close(cycle=cycle, by=lead.user)
    assert "volunteer" not in _every_value_in_the_database()
    assert set(closed.results["role_groups"]) == {"frontline", "leadership"}
    assert closed.results["role_groups"]["frontline"]["n"] == 3


def _raw(sealed: str) -> bytes:
    return base64.urlsafe_b64decode(sealed + "=" * (-len(sealed) % 4))


def test_sealed_submissions_have_one_length_and_no_time(
    organization, member_factory, questionnaire, cycle_factory, monkeypatch
):
    """Fernet wrote its time in clear and its length followed the answers: a database holder
    matched sealed rows to access-log times and to people who answer "don't know" a lot."""
    moment = 1_900_000_000
    monkeypatch.setattr(time, "time", lambda: float(moment))
    cycle = cycle_factory(Cycle.Mode.STAFF, min_responses=6)
    shapes = [(0, ""), (0, "volunteer"), (9, "leadership"), (20, "other"), (len(_items(questionnaire)), "")]
    for number, (unknowns, group) in enumerate(shapes):
        _submit(cycle, member_factory(organization), _answers(questionnaire, number, unknowns=unknowns), group)
    sealed = list(PendingResponse.objects.filter(cycle=cycle).values_list("sealed", flat=True))
    assert len(sealed) == len(shapes)
    assert len({len(value) for value in sealed}) == 1, "the sealed length follows the answers"
    for value in sealed:
        raw = _raw(value)
        for width in (4, 8):
            assert moment.to_bytes(width, "big") not in raw, "the sealed value carries its time"
            assert moment.to_bytes(width, "little") not in raw, "the sealed value carries its time"


def _draft_cookie(client, cycle, member) -> str:
    return client.cookies[drafts.cookie_name(cycle.pk, member.user.pk)].value


def test_a_draft_cookie_has_one_length_however_much_is_answered(client, staff, staff_cycle, questionnaire):
    login(client, staff.user)
    organization = staff_cycle.organization
    client.post(reverse("assessment:respond_start", args=[organization.slug, staff_cycle.id]))
    url = reverse("assessment:respond", args=[organization.slug, staff_cycle.id])
    lengths = [len(_draft_cookie(client, staff_cycle, staff))]
    for number, page in enumerate(questionnaire_pages(questionnaire), start=1):
        posted = {"page": number, "action": "next"}
        posted.update({f"answer-{item.key}": "dk" for item in page.items})
        client.post(url, posted)
        lengths.append(len(_draft_cookie(client, staff_cycle, staff)))
    client.post(url, {"page": len(lengths), "action": "save", "role_group": "leadership"})
    lengths.append(len(_draft_cookie(client, staff_cycle, staff)))
    assert len(set(lengths)) == 1, f"the cookie's length tells how far someone got: {lengths}"


def _start_and_save(client, member, cycle):
    login(client, member.user)
    organization = cycle.organization
    client.post(reverse("assessment:respond_start", args=[organization.slug, cycle.id]))
    page = questionnaire_pages(cycle.questionnaire)[0]
    posted = {"page": 1, "action": "save", **{f"answer-{item.key}": "dk" for item in page.items}}
    client.post(reverse("assessment:respond", args=[organization.slug, cycle.id]), posted)
    return page


def test_logging_out_deletes_unfinished_answers_from_the_browser(client, staff, staff_cycle):
    _start_and_save(client, staff, staff_cycle)
    name = drafts.cookie_name(staff_cycle.pk, staff.user.pk)
    assert name in client.cookies
    response = client.post(reverse("account_logout"))
    cookie = response.cookies.get(name)
    assert cookie is not None and cookie["max-age"] == 0 and cookie.value == ""


def test_the_next_person_at_a_shared_computer_never_sees_a_members_draft(client, staff, member_factory, staff_cycle):
    """A kept cookie (no logout, or copied to another browser) opens nothing for anyone else."""
    page = _start_and_save(client, staff, staff_cycle)
    kept = _draft_cookie(client, staff_cycle, staff)
    next_person = member_factory(staff_cycle.organization)
    client.logout()
    login(client, next_person.user)
    url = reverse("assessment:respond", args=[staff_cycle.organization.slug, staff_cycle.id])
    # The cookie left in the jar, and the same cookie renamed as if it were the next person's.
    for name in (
        drafts.cookie_name(staff_cycle.pk, staff.user.pk),
        drafts.cookie_name(staff_cycle.pk, next_person.user.pk),
    ):
        client.cookies[name] = kept
        shown = client.get(url).content.decode()
        assert 'value="dk" checked' not in shown
        assert not any(f'name="answer-{item.key}"' in shown for item in page.items)

    client.logout()
    client.cookies[drafts.cookie_name(staff_cycle.pk)] = kept  # renamed as a link's draft
    anonymous = client.get(reverse("assessment:link_continue"))
    assert anonymous.status_code == 404
    assert not any(f'name="answer-{item.key}"' in anonymous.content.decode() for item in page.items)


def test_a_kept_member_draft_cannot_be_submitted_by_someone_else(
    client, staff, member_factory, staff_cycle, questionnaire
):
    _start_and_save(client, staff, staff_cycle)
    kept = _draft_cookie(client, staff_cycle, staff)
    other = member_factory(staff_cycle.organization)
    client.logout()
    login(client, other.user)
    client.cookies[drafts.cookie_name(staff_cycle.pk, other.user.pk)] = kept
    url = reverse("assessment:respond", args=[staff_cycle.organization.slug, staff_cycle.id])
    last = len(questionnaire_pages(questionnaire)) + 1
    posted = {"page": last, "action": "submit"}
    posted.update({f"answer-{item.key}": "dk" for item in _items(questionnaire)})
    client.post(url, posted)
    assert not PendingResponse.objects.filter(cycle=staff_cycle).exists()


# The write-ahead log


def _lsn() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()")
        return cursor.fetchone()[0]


def _wal_touches(start: str, end: str) -> dict[int, set[tuple]]:
    """Return, per transaction, the tuples (relation, block, offset) its WAL records touched."""
    touched: dict[int, set[tuple]] = {}
    with connection.cursor() as cursor:
        # The log can be read only as far as it is flushed, and other tests' transactions may hold
        # records before ``end`` still unflushed: a transaction of our own, committed, flushes past it.
        for _ in range(50):
            cursor.execute("SELECT txid_current()")
            cursor.execute("SELECT pg_current_wal_flush_lsn() >= %s::pg_lsn", [end])
            if cursor.fetchone()[0]:
                break
            time.sleep(0.1)
        cursor.execute(
            "SELECT xid::text::bigint, description, block_ref FROM pg_get_wal_records_info(%s, %s)"
            " WHERE resource_manager LIKE 'Heap%%'",
            [start, end],
        )
        for xid, description, block_ref in cursor.fetchall():
            offset = re.search(r"off:? (\d+)", description or "")
            block = re.search(r"rel \d+/\d+/(\d+)(?: fork main)? blk (\d+)", block_ref or "")
            if xid and offset and block:
                touched.setdefault(xid, set()).add((int(block[1]), int(block[2]), int(offset[1])))
    return touched


def _relfilenode(model) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_filenode(%s)", [model._meta.db_table])
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the write-ahead log is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_the_write_ahead_log_does_not_join_a_start_to_its_submission(
    organization, lead, member_factory, questionnaire, cycle_factory
):
    """pg_walinspect reads which tuples each transaction wrote. A start and a submission that
    touch the same tuple, which no other transaction touched, name the submitter."""
    with connection.cursor() as cursor:
        if connection.pg_version < 150000:
            pytest.skip("pg_walinspect needs PostgreSQL 15")
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_walinspect")
    cycle = cycle_factory(Cycle.Mode.STAFF, min_responses=3)
    people = [member_factory(organization) for _ in range(4)]
    begin = _lsn()
    started = {}
    for person in people:  # everyone starts, then submits in another order, as on a real day
        started[person.pk] = (member_response_start(cycle=cycle, user=person.user), _lsn())
    submitted = {}
    for number, person in enumerate(reversed(people)):
        draft = staff_draft_save(cycle=cycle, draft=started[person.pk][0], answers=_answers(questionnaire, number))
        before = _lsn()
        staff_draft_submit(cycle=cycle, draft=draft)
        submitted[person.pk] = before
    end = _lsn()
    touches = _wal_touches(begin, end)
    pending = _relfilenode(PendingResponse)
    submits = [xid for xid, tuples in touches.items() if any(rel == pending for rel, _, _ in tuples)]
    assert len(submits) == len(people)
    holders = Counter(t for tuples in touches.values() for t in tuples)
    for xid in submits:
        private = {t for t in touches[xid] if holders[t] == 2}
        partners = {other for other, tuples in touches.items() if other != xid and private & tuples}
        assert not partners, "a submission shares a tuple with exactly one other transaction"
    cycle_close(cycle=cycle, by=lead.user)
    assert Response.objects.filter(cycle=cycle).count() == len(people)


def _writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}]


def _tables(sql_statements) -> set[str]:
    found = set()
    for sql in sql_statements:
        match = re.match(r'\s*(?:INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', sql, re.IGNORECASE)
        found.add(match[1] if match else sql)
    return found


@pytest.mark.parametrize("through", ["member", "link"])
def test_the_submitting_request_writes_nothing_but_the_sealed_answers_and_the_spent_credential(
    client, lead, staff, staff_cycle, questionnaire, through
):
    """A session row, an audit entry or a counter written by the submitting request would carry
    the submitter's name or session next to the moment their sealed answers arrived."""
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import invite

    if through == "member":
        login(client, staff.user)
        organization = staff_cycle.organization
        client.post(reverse("assessment:respond_start", args=[organization.slug, staff_cycle.id]))
        url = reverse("assessment:respond", args=[organization.slug, staff_cycle.id])
    else:
        token = invite(staff_cycle, lead.user, ["someone@example.org"])[0]
        client.post(reverse("assessment:link_landing", args=[token]))
        url = reverse("assessment:link_continue")
    pages = questionnaire_pages(questionnaire)
    for number, page in enumerate(pages, start=1):
        client.post(url, {"page": number, "action": "next", **{f"answer-{item.key}": "dk" for item in page.items}})
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, {"page": len(pages) + 1, "action": "submit"})
    assert response.status_code == 302
    assert PendingResponse.objects.filter(cycle=staff_cycle).count() == 1
    tables = _tables(_writes(queries))
    assert tables == {PendingResponse._meta.db_table, "assessment_spentcredential"}, tables


def test_rotating_the_secret_key_keeps_unfinished_answers(client, settings, staff, lead, staff_cycle, questionnaire):
    """After a rotation the old key stays a fallback: started respondents must still finish."""
    page = _start_and_save(client, staff, staff_cycle)
    link_browser = type(client)()
    token = __import__("tests.conftest", fromlist=["invite"]).invite(staff_cycle, lead.user, ["x@example.org"])[0]
    link_browser.post(reverse("assessment:link_landing", args=[token]))
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-rotated-secret-key-" + "r" * 40
    url = reverse("assessment:respond", args=[staff_cycle.organization.slug, staff_cycle.id])
    shown = client.get(url, {"page": 1}).content.decode()
    assert all(f'name="answer-{item.key}" value="dk" checked' in shown for item in page.items)
    for browser, answer_url in [(client, url), (link_browser, reverse("assessment:link_continue"))]:
        pages = questionnaire_pages(questionnaire)
        for number, each in enumerate(pages, start=1):
            posted = {"page": number, "action": "next", **{f"answer-{item.key}": "dk" for item in each.items}}
            assert browser.post(answer_url, posted).status_code == 302
        assert browser.post(answer_url, {"page": len(pages) + 1, "action": "submit"}).status_code == 302
    assert PendingResponse.objects.filter(cycle=staff_cycle).count() == 2


def test_logging_out_keeps_a_draft_started_from_a_link(client, staff, lead, cycle_factory, org_factory, member_factory):
    """A link draft belongs to no account: someone signing out must not destroy it (its link is spent)."""
    from tests.conftest import invite

    elsewhere = cycle_factory(Cycle.Mode.STAFF, organization=org_factory("Elsewhere"))
    other_lead = member_factory(elsewhere.organization, "lead")
    token = invite(elsewhere, other_lead.user, [staff.user.email])[0]
    client.post(reverse("assessment:link_landing", args=[token]))
    login(client, staff.user)
    client.post(reverse("account_logout"))
    assert client.get(reverse("assessment:link_continue")).status_code == 200


def test_seals_the_server_can_no_longer_open_stop_the_close_with_a_clear_message(
    settings, organization, lead, member_factory, questionnaire, cycle_factory
):
    from django.core.exceptions import ValidationError

    from assessment.services.cycles import SEALS_UNREADABLE_MESSAGE

    cycle = cycle_factory(Cycle.Mode.STAFF, min_responses=3)
    for number in range(3):
        _submit(cycle, member_factory(organization), _answers(questionnaire, number))
    settings.SECRET_KEY = "a-rotated-secret-key-without-its-fallback-" + "s" * 20
    with pytest.raises(ValidationError) as error:
        cycle_close(cycle=cycle, by=lead.user)
    assert error.value.messages == [str(SEALS_UNREADABLE_MESSAGE)]
    cycle.refresh_from_db()
    assert cycle.is_open and PendingResponse.objects.filter(cycle=cycle).count() == 3


def test_an_invited_address_that_joins_the_organization_cannot_answer_again_as_a_member(
    lead, organization, member_factory, questionnaire, staff_cycle
):
    from django.core.exceptions import ValidationError

    from assessment.services.responding import INVITED_BY_LINK_MESSAGE
    from tests.conftest import invite, submit_through_link

    token = invite(staff_cycle, lead.user, ["Newcomer@example.org"])[0]
    submit_through_link(token, _answers(questionnaire, 1))
    joined = member_factory(organization, email="newcomer@example.org")
    with pytest.raises(ValidationError) as error:
        member_response_start(cycle=staff_cycle, user=joined.user)
    assert error.value.messages == [str(INVITED_BY_LINK_MESSAGE)]
    assert PendingResponse.objects.filter(cycle=staff_cycle).count() == 1
