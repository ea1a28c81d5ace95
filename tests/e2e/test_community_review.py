"""Community review in the browser: an admin invites a reviewer, who reads the invitation and
reviews the self-audit in Chinese on a phone; the admin then reads the review in the English report."""

import re

import pytest
from django.core import mail

from assessment.demo import CHECKLIST_3_PATH
from assessment.instrument_file import read_instrument_file
from assessment.models import Cycle
from assessment.services.cycles import cycle_create
from assessment.services.questionnaires import questionnaire_load
from assessment.services.responding import response_save_answers, response_submit
from community_review.models import Review
from tests.conftest import PASSWORD
from tests.e2e.conftest import check_page, log_in

PHONE = {"width": 390, "height": 844}
NOTE = "我们服务的人说，前台仍会问移民身份。"


@pytest.fixture
def self_audit(transactional_db, admin):
    checklist, _ = questionnaire_load(data=read_instrument_file(CHECKLIST_3_PATH))
    cycle = cycle_create(
        organization=admin.organization, by=admin.user, questionnaire=checklist, label="2026 self-audit",
        mode=Cycle.Mode.TEAM, opens_on="2026-03-01",
    )  # fmt: skip
    response = cycle.responses.get()
    answers = {item.key: "2" if item.scale == "maturity" else "0" for item in checklist.items.all()}
    notes = {item.key: "Policy 7, signed 2025" for item in checklist.items.filter(scale="maturity")}
    response_save_answers(response=response, answers=answers, notes=notes, by=admin.user)
    response_submit(response=response, user=admin.user)
    return Cycle.objects.get(pk=cycle.pk)


def test_invitation_then_review_in_chinese_on_a_phone_then_the_english_report(
    browser, live_server, page, admin, self_audit, user_factory
):
    reviewer = user_factory("peer@collective.example.org")
    slug = admin.organization.slug
    # The admin asks, in English, on the self-audit's page, for an invitation in Chinese.
    log_in(page, admin.user.email)
    page.goto(f"/o/{slug}/cycles/{self_audit.id}/")
    check_page(page, name="review-panel-en")
    page.get_by_label("Reviewer's email address").fill(reviewer.email)
    page.get_by_label("Language of the invitation").select_option("zh-hans")
    page.get_by_role("button", name="Send the invitation").click()
    page.wait_for_selector("#review-current")
    message = mail.outbox[-1]
    assert message.to == [reviewer.email] and "复核" in message.subject
    link = re.search(r"https?://\S+/review/[A-Za-z0-9_-]+/", message.body).group(0)

    # The reviewer opens the link on a phone, in Chinese, signs in and accepts.
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="zh-CN")
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    phone.console_errors = []
    phone.on("pageerror", lambda error: phone.console_errors.append(str(error)))
    phone.goto(link)
    assert phone.locator("html").get_attribute("lang") == "zh-hans"
    assert "绝不会看到其员工或服务对象的任何回答" in phone.content()
    check_page(phone, name="review-invitation-zh-phone")
    phone.locator("#main").get_by_role("link", name="登录").click()
    phone.fill("input[name=login]", reviewer.email)
    phone.fill("input[name=password]", PASSWORD)
    phone.click("form:has(input[name=login]) button[type=submit]")
    phone.wait_for_url(link)
    phone.get_by_label("您的组织").fill("港湾性工作者团体")
    phone.get_by_label("在报告中写明我们组织的名称").check()
    phone.get_by_role("button", name="接受并开始复核").click()
    phone.wait_for_selector("#review-form")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    check_page(phone, name="review-page-zh-phone")

    # One entry does not match, with a note; saved, and there on coming back.
    entries = phone.locator("fieldset.review-entry")
    first = entries.first
    first.get_by_label("不相符").check()
    first.get_by_label("备注（选填）").fill(NOTE)
    box = first.get_by_label("不相符").locator("xpath=..").bounding_box()
    assert box["height"] >= 24 and box["x"] + box["width"] <= PHONE["width"]
    phone.get_by_role("button", name="保存，稍后完成").click()
    phone.wait_for_selector(".message")
    phone.reload()
    assert phone.locator("fieldset.review-entry").first.get_by_label("不相符").is_checked()
    assert NOTE in phone.locator("fieldset.review-entry").first.locator("textarea").input_value()
    for index in range(1, entries.count()):
        entries.nth(index).get_by_label("与我们所见相符").check()
    phone.get_by_role("button", name="提交复核").click()
    phone.wait_for_selector("#review-submitted")
    check_page(phone, name="review-submitted-zh-phone")
    context.close()
    assert Review.objects.get(cycle=self_audit).status == Review.Status.SUBMITTED

    # The admin reads it in the English report: beside the answer, in the summary, with the note.
    page.goto(f"/o/{slug}/cycles/{self_audit.id}/report/")
    section = page.locator("#community-review")
    assert "Reviewed by 港湾性工作者团体 on" in section.inner_text()
    assert "community review: does not match" in page.locator("#item-details").inner_text()
    assert NOTE in section.inner_text()
    assert "1" in page.locator("#review-agreement tbody tr").first.inner_text()
    check_page(page, name="review-report-en")
