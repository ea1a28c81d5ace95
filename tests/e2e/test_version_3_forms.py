"""Questionnaire version 3's pages in the browser, on a phone: a staff survey with observed breaks,
"Not applicable" and "Don't know", answered in English and in Chinese; and a checklist whose levels 2
and 3 count only with evidence, with a rule-break entry answered from records."""

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from assessment.models import Answer, Cycle, Item
from assessment.services.cycles import cycle_create
from assessment.services.links import invitations_send
from assessment.services.pending import pending_open
from assessment.services.questionnaires import questionnaire_load, questionnaires_load_shipped
from tests.conftest import invitation_tokens
from tests.e2e.conftest import check_page, log_in

PHONE = {"width": 390, "height": 844}
LEVELS = ["Nothing in place", "Some staff do it", "A written rule staff know", "Written, trained, checked yearly"]


def _item(key, dimension, text, scale, max_value, **fields):
    return {
        "key": key,
        "dimension": dimension,
        "text": text,
        "scale": scale,
        "max_value": max_value,
        "sources": ["Q9"],
        "recommendation": "Write the rule down and go through it with everyone.",
        **fields,
    }


STAFF_3 = {
    "slug": "pages-test",
    "version": 3,
    "title": "Staff survey",
    "form": "staff",
    "translations": {"zh-hans": {"title": "员工调查"}},
    "dimensions": [
        {"key": "consent", "name": "Consent", "translations": {"zh-hans": {"name": "知情同意"}}},
        {"key": "respect", "name": "Respect", "translations": {"zh-hans": {"name": "尊重"}}},
    ],
    "items": [
        _item(
            "police-break",
            "consent",
            "In the past 12 months, how often did you see someone here call the police about a client "
            "without the client's clear agreement?",
            "breaks",
            2,
            reverse=True,
            critical=True,
            allow_na=True,
            translations={"zh-hans": {"text": "过去12个月里，您看到这里有人未经服务对象明确同意就报警的次数是？"}},
        ),
        _item(
            "asks-first",
            "consent",
            "I ask a client before I share what they told me.",
            "frequency",
            4,
            allow_na=True,
            translations={"zh-hans": {"text": "在分享服务对象告诉我的事情之前，我会先征求其同意。"}},
        ),
        _item(
            "own-words",
            "respect",
            "I use the words a client uses for their own work.",
            "frequency",
            4,
            allow_na=True,
            translations={"zh-hans": {"text": "我使用服务对象称呼自己工作的用语。"}},
        ),
        _item(
            "team-talks",
            "respect",
            "Our team talks about how we treat clients.",
            "frequency",
            4,
            translations={"zh-hans": {"text": "我们团队会讨论我们如何对待服务对象。"}},
        ),
    ],
}

CHECKLIST_3 = {
    "slug": "pages-test-checklist",
    "version": 3,
    "title": "Leadership checklist",
    "form": "checklist",
    "dimensions": [{"key": "consent", "name": "Consent"}],
    "items": [
        _item(
            "rule-police",
            "consent",
            "Nobody calls the police about a person without their clear agreement.",
            "maturity",
            3,
            critical=True,
            levels=LEVELS,
            evidence_prompt="Which policy or training log shows this?",
        ),
        _item(
            "rule-police-breaks",
            "consent",
            "In the past 12 months, as far as your records show, how often was this rule broken?",
            "breaks",
            2,
            reverse=True,
            critical=True,
        ),
        _item(
            "rule-interpreters",
            "consent",
            "An interpreter is offered when a person needs one.",
            "maturity",
            3,
            allow_na=True,
            levels=LEVELS,
            evidence_prompt="Which booking record shows this?",
        ),
    ],
}


@pytest.fixture
def version_3(transactional_db):
    return questionnaire_load(data=STAFF_3)[0], questionnaire_load(data=CHECKLIST_3)[0]


def _fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def _question(page, key):
    return page.locator("fieldset.question").filter(has=page.locator(f"input[name='answer-{key}']"))


def _open(organization, lead, questionnaire, mode, label):
    return cycle_create(
        organization=organization,
        by=lead.user,
        questionnaire=questionnaire,
        label=label,
        mode=mode,
        opens_on=timezone.localdate(),
        min_responses=3,
    )


def test_staff_survey_in_english_and_chinese_with_not_applicable_and_dont_know(
    browser, live_server, lead, organization, version_3
):
    cycle = _open(organization, lead, version_3[0], Cycle.Mode.STAFF, "Staff survey 2027")
    invitations_send(cycle=cycle, by=lead.user, addresses=["phone@example.org"], site_url=live_server.url)
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="en-CA", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.goto(f"/r/{invitation_tokens(mail.outbox)[0]}/")
    page.get_by_role("button", name="Start the survey").click()
    page.wait_for_url("**/r/continue/")

    breaks = _question(page, "police-break")
    for label in ("Never", "Once", "More than once", "Don't know", "Not applicable (I don't work with clients)"):
        assert breaks.get_by_label(label, exact=True).count() == 1, label
    assert breaks.get_by_text("in the past 12 months", exact=False).count() >= 1
    # "Don't know" and "Not applicable" sit apart from the scale's points.
    assert breaks.locator(".choices-other input").count() == 2
    breaks.get_by_label("Not applicable (I don't work with clients)").check()
    # The keyboard moves between the answers of a question.
    asks = _question(page, "asks-first")
    asks.get_by_label("Never", exact=True).focus()
    page.keyboard.press("ArrowRight")
    assert asks.get_by_label("Rarely", exact=True).is_checked()
    asks.get_by_label("Don't know", exact=True).check()
    check_page(page, name="v3-phone-question")
    _fits_the_phone(page)

    # Switch to Chinese mid-page: what was chosen is kept.
    page.locator("#survey-language").select_option("zh-hans")
    page.locator("button[name=action][value=language]").click()
    page.get_by_role("heading", name="知情同意", exact=True).wait_for()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_text("过去12个月里有几次：", exact=True).count() == 1  # the recall line, in Chinese
    assert _question(page, "police-break").locator("input[value=na]").is_checked()
    assert _question(page, "asks-first").locator("input[value=dk]").is_checked()
    _fits_the_phone(page)
    page.locator("button[name=action][value=next]").click()
    page.get_by_role("heading", name="尊重", exact=True).wait_for()
    _question(page, "own-words").locator("input[value=na]").check()
    _question(page, "team-talks").locator("input[value='3']").check()
    check_page(page, name="v3-phone-question-zh")
    _fits_the_phone(page)
    page.locator("button[name=action][value=next]").click()
    page.locator("#role-group").wait_for()
    page.locator("button[name=action][value=submit]").click()
    page.wait_for_url("**/r/thanks/")
    context.close()

    (submitted,) = pending_open(cycle=cycle)
    assert submitted.answers == {"police-break": "na", "asks-first": "dk", "own-words": "na", "team-talks": "3"}


def test_checklist_levels_2_and_3_ask_for_evidence(browser, live_server, lead, organization, version_3):
    cycle = _open(organization, lead, version_3[1], Cycle.Mode.TEAM, "Leadership 2027")
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="en-CA", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    log_in(page, lead.user.email)
    page.goto(f"/o/{organization.slug}/cycles/{cycle.id}/respond/")

    police = _question(page, "rule-police")
    rule = police.get_by_text("Levels 2 and 3 count only if you name the evidence below.")
    assert rule.is_visible()
    rule_id = rule.get_attribute("id")
    for level in ("2", "3"):
        assert rule_id in police.locator(f"input[value='{level}']").get_attribute("aria-describedby")
    assert police.locator("input[value='1']").get_attribute("aria-describedby") is None
    police.get_by_label("Written, trained and checked:", exact=False).check()
    police.get_by_label("Evidence: Which policy or training log shows this?").fill("Consent policy 4.1; log 2027.")
    records = _question(page, "rule-police-breaks")
    assert records.get_by_label("Don't know").count() == 0
    assert records.get_by_text("Levels 2 and 3").count() == 0
    records.get_by_label("We do not record this").check()
    interpreters = _question(page, "rule-interpreters")
    interpreters.get_by_label("Not applicable", exact=True).check()
    check_page(page, name="v3-phone-checklist")
    _fits_the_phone(page)
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="Finish").wait_for()
    page.get_by_role("button", name="Submit answers").click()
    page.get_by_text("Your answers are submitted").wait_for()
    context.close()

    answers = {a.item.key: a for a in Answer.objects.filter(response__cycle=cycle).select_related("item")}
    assert (answers["rule-police"].value, answers["rule-police"].note) == (3, "Consent policy 4.1; log 2027.")
    assert (answers["rule-police-breaks"].value, answers["rule-police-breaks"].special) == (None, "dk")
    assert (answers["rule-interpreters"].value, answers["rule-interpreters"].special) == (None, "na")
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.CLOSED


def test_shipped_version_3_checklist_in_chinese_keeps_its_evidence_notes(browser, live_server, lead, organization):
    """The real version 3 checklist, on a phone, in Chinese: a level with its evidence, a records
    entry answered "we do not record this", saved and read back."""
    loaded = {(q.slug, q.version): q for q, _ in questionnaires_load_shipped()}
    checklist = loaded[("ally-readiness-checklist", 3)]
    cycle = _open(organization, lead, checklist, Cycle.Mode.TEAM, "2027 self-audit")
    first = checklist.dimensions.order_by("order").first()
    items = list(first.items.filter(staff_view=False).order_by("order"))
    level_entry = next(i for i in items if i.scale == Item.Scale.MATURITY)
    records_entry = next(i for i in items if i.scale == Item.Scale.BREAKS)
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="en-CA", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    log_in(page, lead.user.email)
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "zh-hans", "url": live_server.url}])
    page.goto(f"/o/{organization.slug}/cycles/{cycle.id}/respond/?page=1")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    entry = _question(page, level_entry.key)
    entry.get_by_text(level_entry.translations["zh-hans"]["text"]).wait_for()
    entry.locator("input[value='3']").check()
    entry.locator(f"textarea[name='note-{level_entry.key}']").fill("保密政策第3节；2027年培训记录。")
    _question(page, records_entry.key).get_by_label("我们没有记录这一项").check()
    check_page(page, name="v3-phone-checklist-zh")
    _fits_the_phone(page)
    page.locator("button[name=action][value=next]").click()
    page.wait_for_url("**page=2**")
    context.close()

    answers = {a.item.key: a for a in Answer.objects.filter(response__cycle=cycle).select_related("item")}
    assert (answers[level_entry.key].value, answers[level_entry.key].note) == (3, "保密政策第3节；2027年培训记录。")
    assert answers[records_entry.key].special == "dk"
