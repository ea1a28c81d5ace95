"""Community feedback: the people an organization serves answer a one-page form with no account.

Each test plays someone who should learn nothing: a database holder with backups and the sealed
rows, the next person at a shared phone (cookies), someone who replays or tampers with the form,
or a lead hoping to read a handful of answers.
"""

import base64
import time
from xml.etree import ElementTree

import numpy
import pytest
import zxingcpp
from django.urls import reverse

from assessment.demo import COMMUNITY_PATH
from assessment.instrument_file import read_instrument_file
from assessment.models import COMMUNITY_MIN_RESPONSES, Answer, Cycle, PendingResponse, Response, SpentCredential
from assessment.services.cycles import FEEDBACK_CODE_ALPHABET, WRONG_FORM_MESSAGE, cycle_close, cycle_create
from assessment.services.questionnaires import questionnaire_load
from assessment.services.responding import FEEDBACK_EMPTY_MESSAGE, FEEDBACK_SENT_MESSAGE
from tests.conftest import login


@pytest.fixture
def community_questionnaire(db):
    questionnaire, _ = questionnaire_load(data=read_instrument_file(COMMUNITY_PATH))
    return questionnaire


@pytest.fixture
def feedback(organization, admin, community_questionnaire):
    return cycle_create(
        organization=organization,
        by=admin.user,
        questionnaire=community_questionnaire,
        label="2026 community feedback",
        mode=Cycle.Mode.COMMUNITY,
        opens_on="2026-03-01",
        min_responses=3,
    )


def _url(cycle, language="en"):
    return reverse("assessment:feedback_form", args=[cycle.feedback_code]) + (f"?lang={language}" if language else "")


def _items(cycle):
    return list(cycle.questionnaire.items.order_by("order", "key"))


def _answers(cycle, number: int, *, unknowns: int = 0) -> dict[str, str]:
    answers = {}
    for index, item in enumerate(_items(cycle)):
        value = "dk" if index < unknowns else str((number + index) % (item.max_value + 1))
        answers[f"answer-{item.key}"] = value
    return answers


def _send(client, cycle, answers, language="en"):
    page = client.get(_url(cycle, language))
    credential = page.context["credential"]
    return client.post(_url(cycle, None), {"credential": credential, "lang": language, "action": "send", **answers})


def test_community_feedback_needs_ten_answers_and_its_own_form(organization, admin, feedback, questionnaire):
    assert feedback.min_responses == COMMUNITY_MIN_RESPONSES
    assert len(feedback.feedback_code) == 10 and set(feedback.feedback_code) <= set(FEEDBACK_CODE_ALPHABET)
    assert feedback.is_open
    for mode, form in [(Cycle.Mode.COMMUNITY, questionnaire), (Cycle.Mode.STAFF, feedback.questionnaire)]:
        with pytest.raises(Exception, match=str(WRONG_FORM_MESSAGE)):
            cycle_create(
                organization=organization,
                by=admin.user,
                questionnaire=form,
                label="x",
                mode=mode,
                opens_on="2026-03-01",
            )


def test_the_form_asks_the_language_first_and_leaves_nothing_in_the_browser(client, feedback):
    choose = client.get(_url(feedback, None))
    assert choose.status_code == 200
    assert [language["code"] for language in choose.context["languages"]] == ["en", "fr", "zh-hans"]
    page = client.get(_url(feedback, "zh-hans"))
    assert page.status_code == 200
    assert '<html lang="zh-hans">' in page.content.decode()
    assert page["Content-Language"] == "zh-hans"
    assert "no-store" in page["Cache-Control"]
    sent = client.post(
        _url(feedback, None), {"credential": page.context["credential"], "lang": "zh-hans", **_answers(feedback, 1)}
    )
    assert sent.status_code == 200 and "feedback-sent" in sent.content.decode()
    for response in (choose, page, sent):
        assert not response.cookies, f"a cookie was set: {list(response.cookies)}"
        assert "<script" not in response.content.decode()
    assert not client.cookies
    assert PendingResponse.objects.filter(cycle=feedback).count() == 1


def test_switching_language_keeps_what_was_chosen_and_sends_nothing(client, feedback):
    page = client.get(_url(feedback))
    item = _items(feedback)[0]
    switched = client.post(
        _url(feedback, None),
        {"credential": page.context["credential"], "lang": "en", "switch": "fr", f"answer-{item.key}": "1"},
    )
    assert switched.status_code == 200
    html = switched.content.decode()
    assert '<html lang="fr">' in html
    assert f'name="answer-{item.key}" value="1" checked' in html
    assert not PendingResponse.objects.filter(cycle=feedback).exists()


def test_a_form_is_sent_once_and_bad_input_loses_nothing(client, feedback):
    page = client.get(_url(feedback))
    form = {"credential": page.context["credential"], "lang": "en"}
    empty = client.post(_url(feedback, None), form)
    assert empty.status_code == 400 and str(FEEDBACK_EMPTY_MESSAGE) in empty.content.decode()
    first = _items(feedback)[0]
    tampered = client.post(_url(feedback, None), {**form, f"answer-{first.key}": "9"})
    assert tampered.status_code == 400
    unknown = client.post(_url(feedback, None), {**form, "answer-not-an-item": "1"})
    assert unknown.status_code == 400
    # What was chosen stays chosen on the page that says what went wrong.
    assert 'value="9"' not in tampered.content.decode()
    assert not PendingResponse.objects.filter(cycle=feedback).exists()
    answers = _answers(feedback, 2)
    assert client.post(_url(feedback, None), {**form, **answers}).status_code == 200
    again = client.post(_url(feedback, None), {**form, **answers})
    assert again.status_code == 400 and str(FEEDBACK_SENT_MESSAGE) in again.content.decode()
    forged = client.post(_url(feedback, None), {**form, "credential": "abc.def", **answers})
    assert forged.status_code == 400
    assert PendingResponse.objects.filter(cycle=feedback).count() == 1


def test_an_unknown_or_closed_form_is_not_found(client, feedback, lead):
    assert client.get(reverse("assessment:feedback_form", args=["notacode22"])).status_code == 404
    cycle_close(cycle=feedback, by=lead.user)
    closed = client.get(_url(feedback))
    assert closed.status_code == 404 and not closed.cookies


def test_a_link_takes_a_bounded_number_of_answers(client, settings, feedback):
    settings.ALLY_RATE_LIMITS = {**settings.ALLY_RATE_LIMITS, "feedback": (100, 2, 600)}
    for number in range(2):
        assert _send(client, feedback, _answers(feedback, number)).status_code == 200
    busy = _send(client, feedback, _answers(feedback, 3))
    assert busy.status_code == 429 and not busy.cookies
    assert PendingResponse.objects.filter(cycle=feedback).count() == 2


def _raw(sealed: str) -> bytes:
    return base64.urlsafe_b64decode(sealed + "=" * (-len(sealed) % 4))


def test_sealed_feedback_has_one_length_no_time_and_no_language(client, feedback, monkeypatch):
    """A database holder matches sealed rows to access-log times, to "don't know"-heavy answerers
    or to the one person who answered in Chinese."""
    moment = 1_900_000_000
    monkeypatch.setattr(time, "time", lambda: float(moment))
    count = len(_items(feedback))
    shapes = [(0, "en"), (count, "fr"), (3, "zh-hans"), (count - 1, "en")]
    for number, (unknowns, language) in enumerate(shapes):
        assert _send(client, feedback, _answers(feedback, number, unknowns=unknowns), language).status_code == 200
    sealed = list(PendingResponse.objects.filter(cycle=feedback).values_list("sealed", flat=True))
    assert len(sealed) == len(shapes)
    assert len({len(value) for value in sealed}) == 1, "the sealed length follows the answers"
    for value in sealed:
        raw = _raw(value)
        for width in (4, 8):
            assert moment.to_bytes(width, "big") not in raw and moment.to_bytes(width, "little") not in raw
    assert SpentCredential.objects.filter(cycle=feedback).count() == len(shapes)


@pytest.mark.parametrize("sent", [COMMUNITY_MIN_RESPONSES - 1, COMMUNITY_MIN_RESPONSES])
def test_results_need_ten_answers_and_keep_no_groups(client, lead, feedback, sent):
    for number in range(sent):
        assert _send(client, feedback, _answers(feedback, number)).status_code == 200
    assert not Answer.objects.filter(response__cycle=feedback).exists(), "answers readable before close"
    closed = cycle_close(cycle=feedback, by=lead.user)
    assert not PendingResponse.objects.filter(cycle=feedback).exists()
    assert not SpentCredential.objects.filter(cycle=feedback).exists()
    if sent < COMMUNITY_MIN_RESPONSES:
        assert closed.results == {"reportable": False, "n": sent, "min_responses": COMMUNITY_MIN_RESPONSES}
        assert not Response.objects.filter(cycle=feedback).exists()
        return
    assert closed.is_reportable and closed.results["n"] == sent
    assert "role_groups" not in closed.results and "channels" not in closed.results
    assert closed.results["practices"], "each practice's score is kept for the three views"
    assert Response.objects.filter(cycle=feedback).count() == sent


def test_members_do_not_answer_community_feedback_as_staff(client, staff, feedback):
    login(client, staff.user)
    url = reverse("assessment:respond", args=[feedback.organization.slug, feedback.id])
    assert client.get(url).status_code == 404
    dashboard = client.get(reverse("assessment:org_dashboard", args=[feedback.organization.slug]))
    assert f"call-{feedback.id}" not in dashboard.content.decode()


def _qr_matrix(svg: str) -> numpy.ndarray:
    """Draw the QR code's SVG path (unit squares "Mx,yH…V…H…z") as pixels, 8 per module."""
    import re

    root = ElementTree.fromstring(svg)
    width = int(float(root.get("viewBox").split()[2]))
    path = next(element for element in root.iter() if element.tag.endswith("path")).get("d")
    image = numpy.full((width * 8, width * 8), 255, dtype=numpy.uint8)
    for x, y in re.findall(r"M(\d+),(\d+)H", path):
        image[int(y) * 8 : int(y) * 8 + 8, int(x) * 8 : int(x) * 8 + 8] = 0
    return image


@pytest.mark.parametrize("sheet", ["poster", "card"])
def test_the_card_and_poster_carry_a_qr_code_of_the_short_link(client, lead, staff, feedback, sheet):
    url = reverse("assessment:feedback_sheet", args=[feedback.organization.slug, feedback.id, sheet])
    login(client, staff.user)
    assert client.get(url).status_code == 404
    login(client, lead.user)
    page = client.get(url)
    assert page.status_code == 200
    link = "http://testserver" + _url(feedback, None)
    html = page.content.decode()
    assert link in html
    svg = html[html.index("<svg") : html.index("</svg>") + len("</svg>")]
    decoded = zxingcpp.read_barcodes(_qr_matrix(svg))
    assert [code.text for code in decoded] == [link]
    for language in ("en", "fr", "zh-hans"):
        assert f'lang="{language}"' in html


def test_a_lead_reads_the_form_as_a_trial_until_it_is_reviewed(client, lead, feedback, monkeypatch):
    """The form's own English awaits review with sex worker groups: the lead is told so where they
    run it, choose it and read its results, and a stored report drops the note once it is reviewed."""
    from config import reviews
    from reports.services import cycle_report_build

    login(client, lead.user)
    detail = client.get(feedback.get_absolute_url()).content.decode()
    assert 'id="form-in-review"' in detail
    choose = client.get(reverse("assessment:cycle_create", args=[feedback.organization.slug])).content.decode()
    assert "wording is a draft, not yet reviewed with sex worker groups" in choose
    for number in range(COMMUNITY_MIN_RESPONSES):
        _send(client, feedback, _answers(feedback, number))
    closed = cycle_close(cycle=feedback, by=lead.user)
    report_url = reverse("reports:cycle_report", args=[feedback.organization.slug, feedback.id])
    page = client.get(report_url).content.decode()
    assert 'id="community-caveat"' in page and "read its results as a trial" in page
    assert cycle_report_build(cycle=closed)["form_in_review"] is True

    records = reviews.review_records()
    reviewed = {
        "status": "reviewed",
        "drafted_by": "the project's developers",
        "reviews": [
            {
                "reviewer": "A reviewer",
                "organization": "A sex worker group",
                "works_with_sex_workers": True,
                "date": "2026-06-01",
                "scope": list(reviews.REQUIRED_SCOPE["questionnaire"]),
                "notes": "",
            }
        ],
    }
    key = reviews.questionnaire_key(feedback.questionnaire.slug, feedback.questionnaire.version)
    changed = {
        **records,
        "questionnaires": {**records["questionnaires"], key: {**records["questionnaires"][key], "en": reviewed}},
    }
    monkeypatch.setattr(reviews, "review_records", lambda: changed)
    page = client.get(report_url).content.decode()
    assert 'id="community-caveat"' in page and "read its results as a trial" not in page


def test_opening_the_form_writes_nothing_and_sending_writes_only_the_sealed_answers(client, feedback):
    """As for a staff survey: a row the request writes beside the sealed answers (a session, an
    audit entry, a count) would carry the moment they arrived next to something else, and a
    form page that wrote anything would leave a start for the write-ahead log to join to it.
    The rate limit's counters live in the shared cache (in this table only without Redis): a
    count under a keyed hash of the address and of the link, with an expiry, nothing of the
    answers."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def written(queries):
        tables = set()
        for query in queries.captured_queries:
            verb = query["sql"].lstrip().split(" ", 1)[0].upper()
            if verb in {"INSERT", "UPDATE", "DELETE"}:
                tables.add(query["sql"].split('"')[1])
        return tables

    with CaptureQueriesContext(connection) as opening:
        page = client.get(_url(feedback, "zh-hans"))
    assert page.status_code == 200 and written(opening) == set()
    credential = page.context["credential"]
    with CaptureQueriesContext(connection) as sending:
        sent = client.post(
            _url(feedback, None),
            {"credential": credential, "lang": "zh-hans", "action": "send", **_answers(feedback, 1)},
        )
    assert sent.status_code == 200
    assert written(sending) - {"ally_cache"} == {PendingResponse._meta.db_table, SpentCredential._meta.db_table}
