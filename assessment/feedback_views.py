"""Community feedback pages: the public one-page form, and the card and poster that lead to it.

The form is answered by people the organization serves, with no account, on a phone, often on
someone else's or a shared one: it keeps nothing in the browser. No session, no message, no
language cookie and no CSRF cookie is set (the language travels in the form itself), and the
page is never cached. The signed credential in the form lets one filled-in form be sent once.
"""

import re

import qrcode
import qrcode.image.svg
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language_info
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from accounts import throttle
from accounts.access import get_membership, organization_context
from accounts.models import Membership
from assessment import selectors
from assessment.forms import PageAnswersForm
from assessment.models import Cycle
from assessment.services import responding

SHEETS = ("poster", "card")


def _languages(cycle: Cycle) -> list[dict]:
    return [
        {"code": code, "name": get_language_info(code)["name_local"]}
        for code in selectors.form_languages(cycle.questionnaire)
    ]


def _form_context(cycle: Cycle, form: PageAnswersForm, credential: str, language: str, languages) -> dict:
    return {
        "cycle": cycle,
        "organization": cycle.organization,
        "form": form,
        "rows": form.rows,
        "credential": credential,
        "language": language,
        "languages": languages,
    }


def _page(request: HttpRequest, template: str, context: dict, *, language: str, status: int = 200) -> HttpResponse:
    with translation.override(language):
        response = render(request, template, context, status=status)
    response.headers["Content-Language"] = language
    return response


@login_not_required
@never_cache
# Nothing may be left in a served person's browser, a CSRF cookie included. A forged post from
# another site could only send answers, which anyone holding the printed link can do anyway; the
# signed credential in the form stops one form being replayed.
@csrf_exempt
def feedback_form(request: HttpRequest, code: str) -> HttpResponse:
    """Choose a language, then answer every question on one page and send."""
    cycle = selectors.feedback_cycle(code)
    if cycle is None or not cycle.is_open:
        language = translation.get_language()
        return _page(request, "assessment/feedback/closed.html", {}, language=language, status=404)
    languages = _languages(cycle)
    codes = [entry["code"] for entry in languages]
    # A language button in the form re-shows the form in that language, with its answers kept.
    switch = request.POST.get("switch", "")
    language = switch or request.POST.get("lang") or request.GET.get("lang") or ""
    if language not in codes:
        if len(codes) > 1 and request.method != "POST":
            context = {"cycle": cycle, "organization": cycle.organization, "languages": languages}
            context["count"] = cycle.questionnaire.items.count()
            return _page(request, "assessment/feedback/languages.html", context, language=translation.get_language())
        language = codes[0]
    with translation.override(language):
        cycle.questionnaire.in_language(language)
        items = [item.in_language(language) for item in cycle.questionnaire.items.all()]
        if request.method != "POST":
            form = PageAnswersForm(cycle.questionnaire, items)
            context = _form_context(cycle, form, responding.credential_new(cycle), language, languages)
            return _page(request, "assessment/feedback/form.html", context, language=language)
        form = PageAnswersForm(cycle.questionnaire, items, data=request.POST)
        credential = request.POST.get("credential", "")
        if switch:
            form.is_valid()
            context = _form_context(cycle, form, credential, language, languages)
            return _page(request, "assessment/feedback/form.html", context, language=language)
        if throttle.is_limited(request, "feedback", scope=code):
            return _page(request, "assessment/feedback/busy.html", {}, language=language, status=429)
        error = "" if form.is_valid() else form.first_error
        if not error:
            try:
                responding.community_answers_submit(cycle=cycle, credential=credential, answers=form.answers)
            except ValidationError as problem:
                error = problem.messages[0]
            else:
                context = {"cycle": cycle, "organization": cycle.organization}
                return _page(request, "assessment/feedback/thanks.html", context, language=language)
        context = {**_form_context(cycle, form, credential, language, languages), "error": error}
        return _page(request, "assessment/feedback/form.html", context, language=language, status=400)


def feedback_link(request: HttpRequest, cycle: Cycle) -> str:
    """Return the full short link of a community feedback form."""
    return request.build_absolute_uri(reverse("assessment:feedback_form", args=[cycle.feedback_code]))


def qr_svg(url: str) -> str:
    """Return the link as a QR code, an SVG drawn by ``qrcode`` (black on white, no fixed size)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(url)
    code.make(fit=True)
    svg = code.make_image(image_factory=qrcode.image.svg.SvgPathImage).to_string(encoding="unicode")
    # Sized by the page's CSS, not by the millimetres qrcode writes; hidden from screen readers,
    # which read the link printed beside it.
    return re.sub(r'width="[^"]*" height="[^"]*"', 'aria-hidden="true" focusable="false"', svg, count=1)


@never_cache
def feedback_sheet(request: HttpRequest, org_slug: str, cycle_id, sheet: str) -> HttpResponse:
    """Show the A4 poster or the A6 card of a community feedback form, to print."""
    membership = get_membership(request.user, org_slug, min_role=Membership.Role.LEAD)
    cycle = get_object_or_404(
        Cycle.objects.select_related("questionnaire", "organization"),
        id=cycle_id,
        organization=membership.organization,
        mode=Cycle.Mode.COMMUNITY,
    )
    if sheet not in SHEETS or cycle.is_closed:
        raise Http404
    url = feedback_link(request, cycle)
    context = organization_context(
        membership,
        cycle=cycle,
        sheet=sheet,
        url=url,
        qr=qr_svg(url),
        languages=_languages(cycle),
    )
    return render(request, "assessment/feedback/sheet.html", context)
