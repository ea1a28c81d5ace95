"""Community feedback in the browser: a served person answers on a phone, in Chinese, with and
without JavaScript, and nothing is left behind; the card and poster print on their paper with a
QR code a phone can read back to the short link."""

import io

import numpy
import pytest
import zxingcpp
from pypdf import PdfReader

from assessment.demo import COMMUNITY_PATH
from assessment.instrument_file import read_instrument_file
from assessment.models import Cycle, PendingResponse
from assessment.services.cycles import cycle_create
from assessment.services.questionnaires import questionnaire_load
from tests.e2e.conftest import ARTIFACTS, check_page, log_in

PHONE = {"width": 390, "height": 844}
SHEETS = {"card": (298.1, 420.0), "poster": (595.0, 841.9)}  # A6 and A4, in points as Chromium writes them


@pytest.fixture
def feedback(transactional_db, admin):
    questionnaire, _ = questionnaire_load(data=read_instrument_file(COMMUNITY_PATH))
    return cycle_create(
        organization=admin.organization,
        by=admin.user,
        questionnaire=questionnaire,
        label="2026 community feedback",
        mode=Cycle.Mode.COMMUNITY,
        opens_on="2026-03-01",
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_served_person_answers_on_a_phone_in_chinese(browser, live_server, feedback, javascript):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, locale="en-CA", java_script_enabled=javascript
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.console_errors = []
    page.goto(f"/f/{feedback.feedback_code}/")
    page.get_by_role("link", name="简体中文").click()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    if javascript:
        check_page(page, name="feedback-form-phone-zh")
    # The other languages stay readable: a button styled as a link once took the buttons' white text.
    for switch in page.locator(".feedback-switch button").all():
        assert _contrast(page, switch) >= 4.5, f"{switch.inner_text()} is hard to read"
    questions = page.locator("fieldset.feedback-question")
    assert questions.count() == feedback.questionnaire.items.count()
    for index in range(questions.count()):
        choice = questions.nth(index).locator("label.feedback-choice").first
        box = choice.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 200, f"question {index + 1}: a small touch target {box}"
        choice.click()
    page.get_by_role("button", name="发送我的答案").click()
    assert page.locator("#feedback-sent").is_visible()
    assert "您的答案已发送" in page.locator("main").inner_text()
    assert context.cookies() == [], "the browser keeps something of the person's visit"
    assert page.evaluate("window.localStorage.length + window.sessionStorage.length") == 0 if javascript else True
    assert PendingResponse.objects.filter(cycle=feedback).count() == 1
    context.close()


def _contrast(page, element) -> float:
    """Return the WCAG contrast ratio of an element's text against the page's background."""
    return element.evaluate(
        """(node) => {
        const channels = (color) => color.match(/[\\d.]+/g).slice(0, 3).map(Number);
        const luminance = (rgb) => {
            const [r, g, b] = rgb.map((v) => {
                v /= 255;
                return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
            });
            return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        };
        let back = node;
        while (back && getComputedStyle(back).backgroundColor.match(/[\\d.]+/g).length === 4
               && Number(getComputedStyle(back).backgroundColor.match(/[\\d.]+/g)[3]) === 0) back = back.parentElement;
        const [a, b] = [luminance(channels(getComputedStyle(node).color)),
                        luminance(channels(back ? getComputedStyle(back).backgroundColor : 'rgb(255,255,255)'))];
        return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    }"""
    )


def _qr_pixels(page) -> numpy.ndarray:
    """Draw the page's QR code as the browser renders it into a canvas, and return its grey pixels."""
    pixels = page.evaluate(
        """async () => {
        const svg = document.querySelector('.sheet-qr svg');
        const image = new Image();
        const markup = new XMLSerializer().serializeToString(svg);
        image.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(markup);
        await image.decode();
        const canvas = document.createElement('canvas');
        canvas.width = canvas.height = 400;
        const context = canvas.getContext('2d');
        context.fillStyle = '#fff';
        context.fillRect(0, 0, 400, 400);
        context.drawImage(image, 0, 0, 400, 400);
        const data = context.getImageData(0, 0, 400, 400).data;
        const grey = [];
        for (let i = 0; i < data.length; i += 4) grey.push(data[i]);
        return grey;
    }"""
    )
    return numpy.array(pixels, dtype=numpy.uint8).reshape(400, 400)


@pytest.mark.parametrize("sheet", SHEETS)
def test_the_card_and_poster_print_on_their_paper_with_a_readable_qr_code(browser, live_server, feedback, lead, sheet):
    context = browser.new_context(base_url=live_server.url, locale="en-CA")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.console_errors = []
    log_in(page, lead.user.email)
    page.goto(f"/o/{feedback.organization.slug}/cycles/{feedback.id}/print/{sheet}/")
    check_page(page, name=f"feedback-{sheet}")
    link = f"{live_server.url}/f/{feedback.feedback_code}/"
    assert [code.text for code in zxingcpp.read_barcodes(_qr_pixels(page))] == [link]
    page.emulate_media(media="print")
    pdf = page.pdf(prefer_css_page_size=True)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"feedback-{sheet}.pdf").write_bytes(pdf)
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) == 1, f"the {sheet} prints on {len(pages)} pages"
    size = (float(pages[0].mediabox.width), float(pages[0].mediabox.height))
    assert size == pytest.approx(SHEETS[sheet], abs=1)
    seen = []

    def visit(text, cm, tm, *_):
        if text.strip():  # where the text starts on the paper: its matrix, then the page's
            x, y = tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            seen.append((text, x, y))

    pages[0].extract_text(visitor_text=visit)
    text = "".join(piece for piece, _, _ in seen).replace(" ", "")
    assert link.replace(" ", "") in text, "the printed sheet lacks its link"
    for words in ("Tell us how we did", "Dites-nous", "说说我们"):
        assert words.replace(" ", "") in text
    # Every word lies on the paper, inside its margins.
    width, height = size
    assert all(0 < x < width and 0 < y < height for _, x, y in seen)
    context.close()
