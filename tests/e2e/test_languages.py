"""French and Chinese in the browser: a French-speaking respondent answers on a phone, and a
Chinese-reading lead opens the report."""

from django.core import mail

from accounts.demo import DEMO_PASSWORD, build_demo_accounts
from assessment.demo import build_demo_audits
from assessment.models import Cycle, PendingResponse
from assessment.services.links import invitations_send
from tests.conftest import invitation_tokens
from tests.e2e.conftest import check_page

PHONE = {"width": 390, "height": 844}


def test_a_french_respondent_answers_on_a_phone(browser, live_server, transactional_db):
    organizations, _ = build_demo_accounts()
    build_demo_audits(organizations)
    cycle = Cycle.objects.get(status=Cycle.Status.OPEN, mode=Cycle.Mode.STAFF, organization=organizations[0])
    lead = cycle.organization.memberships.filter(role="lead").first().user
    invitations_send(cycle=cycle, by=lead, addresses=["francophone@example.org"], site_url=live_server.url)
    link = f"{live_server.url}/r/{invitation_tokens(mail.outbox)[-1]}/"

    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="fr-CA", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.goto(link)
    assert page.locator("html").get_attribute("lang") == "fr", "the browser's language is the default"
    page.get_by_text("Vous pouvez répondre en anglais, en français ou en chinois").wait_for()
    check_page(page, name="fr-phone-landing")
    page.get_by_role("button", name="Commencer le sondage").click()
    page.wait_for_url("**/r/continue/")
    page.get_by_role("heading", name="Consentement", exact=True).wait_for()
    first = True
    while page.get_by_role("heading", name="Terminer").count() == 0:
        for fieldset in page.locator("fieldset.question").all():
            fieldset.get_by_label("Parfois").or_(fieldset.get_by_label("En partie")).or_(
                fieldset.get_by_label("Ni d'accord ni en désaccord")
            ).or_(fieldset.get_by_label("Une fois", exact=True)).first.check()
        if first:
            check_page(page, name="fr-phone-question")
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            first = False
        page.get_by_role("button", name="Enregistrer et continuer").click()
    check_page(page, name="fr-phone-finish")
    page.get_by_role("button", name="Soumettre les réponses").click()
    page.wait_for_url("**/r/thanks/")
    page.get_by_role("heading", name="Merci").wait_for()
    context.close()
    assert PendingResponse.objects.filter(cycle=cycle).exists()


def test_a_chinese_reading_lead_opens_the_report(browser, live_server, transactional_db):
    organizations, _ = build_demo_accounts()
    build_demo_audits(organizations)
    demo = organizations[0]
    cycle = Cycle.objects.get(organization=demo, label="2026 staff survey")
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.goto("/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.locator("input[name=login]").fill(f"lead@{demo.slug}.example")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/")
    page.goto(f"/o/{demo.slug}/cycles/{cycle.id}/report/")
    for chart in ("chart-bars", "chart-trend"):
        page.locator(f"[data-figure='{chart}'] svg.main-svg").first.wait_for()
    page.get_by_role("heading", name="简要").wait_for()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "知情同意" in page.locator("#scores-table").inner_text()
    assert "分数（0–100）" in page.locator("[data-figure='chart-bars']").inner_text()
    check_page(page, name="zh-report")
    context.close()
