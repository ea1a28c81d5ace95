"""French and Chinese: complete catalogues, every page in the reader's language, a questionnaire
that scores the same in every language, and no language kept with anyone's answers."""

import csv
import html
import io
import json
import re
import zipfile
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import polib
import pytest
from django.conf import settings
from django.core import mail
from django.db import models
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.text import Truncator
from django.utils.translation import to_locale

from accounts import services as account_services
from accounts.models import Organization
from assessment import models as assessment_models
from assessment.demo import CHECKLIST_2_PATH, CHECKLIST_3_PATH, STAFF_2_PATH, STAFF_3_PATH
from assessment.instrument_file import InstrumentFileError, check_instrument, read_instrument_file
from assessment.models import Cycle, Item, RespondentLink, Response
from assessment.selectors import questionnaire_pages
from assessment.services.cycles import cycle_create
from assessment.services.links import invitations_approve, invitations_send, reminders_send
from assessment.services.questionnaires import questionnaire_load
from assessment.services.schedules import schedule_notices_send, schedule_set
from tests.conftest import login
from tests.test_url_access import PERSONAS, expectation, world  # noqa: F401 (the shared fixture)
from tests.urlmatrix import named_urls

ROOT = Path(__file__).resolve().parents[1]
TERMBASE = json.loads((ROOT / "locale" / "termbase.json").read_text())
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd%]")
TAG = re.compile(r"</?\w+")
SITE = "https://ally.example"


def _catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(ROOT / "locale" / to_locale(language) / "LC_MESSAGES" / "django.po"))


def _translations(entry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_complete_and_keeps_every_placeholder_and_tag(language):
    catalogue = _catalogue(language)
    assert len(catalogue) > 700
    assert not catalogue.untranslated_entries(), [e.msgid for e in catalogue.untranslated_entries()][:5]
    assert not catalogue.fuzzy_entries(), [e.msgid for e in catalogue.fuzzy_entries()][:5]
    for entry in catalogue:
        for translated in _translations(entry):
            assert translated.strip(), entry.msgid
            source = entry.msgid_plural or entry.msgid
            if "python-format" in entry.flags:
                assert sorted(PLACEHOLDER.findall(translated)) == sorted(PLACEHOLDER.findall(source)), entry.msgid
            assert sorted(TAG.findall(translated)) == sorted(TAG.findall(source)), entry.msgid


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_its_source(language):
    """The committed .mo is what the .po says, so the two install commands need no gettext."""
    compiled = polib.mofile(str(ROOT / "locale" / to_locale(language) / "LC_MESSAGES" / "django.mo"))
    held = {(e.msgctxt, e.msgid): tuple(_translations(e)) for e in compiled}
    for entry in _catalogue(language):
        assert held.get((entry.msgctxt, entry.msgid)) == tuple(_translations(entry)), entry.msgid


def test_the_loader_refuses_a_file_with_a_language_missing_for_an_item():
    data = json.loads(STAFF_2_PATH.read_text())
    del data["items"][3]["recommendation"]["zh-hans"]
    with pytest.raises(
        InstrumentFileError, match=r"item consequences-discussed: 'recommendation' is missing in zh-hans"
    ):
        check_instrument(data)
    data = json.loads(CHECKLIST_2_PATH.read_text())
    data["dimensions"][0]["name"] = "Consent"  # English only, in a file that lists three languages
    with pytest.raises(InstrumentFileError, match="must be given in every language"):
        check_instrument(data)


def test_version_2_is_worded_in_every_language_and_keys_do_not_change():
    for path in (STAFF_2_PATH, CHECKLIST_2_PATH):
        data = read_instrument_file(path)
        for item in data["items"]:
            assert set(item["translations"]) == set(LANGUAGES), item["key"]
            for wording in item["translations"].values():
                assert wording["text"] != item["text"] and 0 < len(wording["short"]) <= 40, item["key"]


# Every page, in each language


def _english_fragments(language: str) -> set[str]:
    """Runs of English from our catalogue that a page in ``language`` must not show: each message's
    text between placeholders and tags, where it has at least two words and differs in translation."""
    fragments = set()
    for entry in _catalogue(language):
        if all(translation == entry.msgid for translation in _translations(entry)):
            continue  # the same word in both languages, such as "Questionnaire" or "Version"
        for source in filter(None, [entry.msgid, entry.msgid_plural]):
            for part in re.split(r"%\(\w+\)[sd]|%[sd%]|<[^>]+>|\{\{.*?\}\}", source):
                part = part.strip(" .,:;()“”\"'—–-\n")
                if len(part) >= 12 and " " in part:
                    fragments.add(part)
    return fragments


FRAGMENTS = {language: _english_fragments(language) for language in LANGUAGES}


def _shown_text(page: str, language: str = "") -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    if language:
        # Words marked as another language are that language on purpose: the feedback form's
        # language choice and its card and poster speak every language the form has.
        other = rf'lang="(?!{re.escape(language)}")[^"]*"'
        page = re.sub(rf"<(li|p|h2|button|option)\b[^>]*{other}[^>]*>.*?</\1>", " ", page, flags=re.S)
    labels = " ".join(re.findall(r'(?:aria-label|title|alt|placeholder)="([^"]*)"', page))
    return html.unescape(re.sub(r"<[^>]+>", " ", page) + " " + labels)


def _readable_by(name: str) -> str | None:
    row = expectation(name)
    if row is None or row.method != "get":
        return None
    return next((persona for persona in PERSONAS if row.expect[persona] == 200), None)


# Not pages: a health check for load balancers and the report's file downloads.
NOT_PAGES = {"healthz", "reports:report_csv", "reports:report_json", "reports:report_xlsx"}
PAGES = [named for named in named_urls() if _readable_by(named.name) and named.name not in NOT_PAGES]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("named", PAGES, ids=lambda u: u.name)
def test_every_page_is_in_the_readers_language(db, client, world, named, language):  # noqa: F811
    params, overrides, users = world
    params = {**params, **overrides.get(named.name, {})}
    persona = _readable_by(named.name)
    if users[persona]:
        login(client, users[persona])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    data = {key: value.format(**params) for key, value in (expectation(named.name).data or {}).items()}
    response = client.get(reverse(named.name, kwargs={p: params[p] for p in named.params}), data)
    assert response.status_code == 200, (named.name, persona)
    page = response.content.decode()
    assert re.search(rf'<html lang="{language}"', page), named.name
    _assert_in_language(_shown_text(page, language), language, named.name)
    if named.name in SURVEY_PAGES:  # a respondent can always go back to English
        assert re.search(r'<select[^>]* name="language"', page) and '<option value="en" lang="en"' in page, named.name


def _assert_in_language(text: str, language: str, where: str, typed: tuple[str, ...] = ()) -> None:
    """Assert that ``text`` shows none of our English, no banned term of the termbase, and the
    language's punctuation; what people typed (audit labels, ``typed``) is not ours to translate."""
    keys = [key for key in Item.objects.values_list("key", flat=True) if "-" in key]  # names, as item-key shows
    for label in (*Cycle.objects.values_list("label", flat=True), *typed, *keys):
        text = text.replace(label, " ")
    for wording in _english_only_wording():  # version 1 is English only, and marked so where it shows
        if wording in text:
            assert re.search(ENGLISH_ONLY[language], text), f"{where} shows version 1 unmarked: {wording}"
            text = text.replace(wording, " ")
    left = sorted(fragment for fragment in FRAGMENTS[language] if fragment in text)
    assert not left, f"{where} in {language} still shows English: {left[:5]}"
    left = sorted(wording for wording in _translated_items_english(language) if wording in text)
    assert not left, f"{where} in {language} shows questions in English: {left[:5]}"
    banned = [
        text[max(0, found.start() - 40) : found.end() + 20]
        for term in TERMBASE["banned"]
        if term["language"] == language and "context" not in term
        for found in re.finditer(term["pattern"], text)
    ]
    assert not banned, f"{where} in {language} uses {banned}"
    punctuation = _misplaced_punctuation(text, language)
    assert not punctuation, f"{where} in {language}: {punctuation[:5]}"


# The start page (respond_start.html) shows at assessment:respond until the respondent starts;
# assessment:respond_start and assessment:link_continue only take a POST or redirect.
SURVEY_PAGES = {"assessment:respond", "assessment:link_landing", "assessment:link_thanks"}


def test_every_survey_page_is_in_the_matrix():
    assert {named.name for named in PAGES} >= SURVEY_PAGES


ENGLISH_ONLY = {"fr": r"\(version 1, en anglais seulement\)|\(en anglais seulement\)", "zh-hans": r"仅有英文"}


def _english_only_wording() -> list[str]:
    """The wording of version 1's items, longest first so that a text goes before its own short."""
    wording = set()
    for item in Item.objects.filter(questionnaire__version=1):
        wording |= {item.text, item.title, item.recommendation}
        wording.add(Truncator(item.recommendation).words(24, truncate=" …"))  # the board summary's
    return sorted(filter(None, wording), key=len, reverse=True)


def _translated_items_english(language: str) -> set[str]:
    """The English wording of the items a questionnaire has in ``language`` (versions 2 and 3)."""
    wording = set()
    for item in Item.objects.select_related("questionnaire"):
        if language in item.questionnaire.translations:
            for field in ("text", "short", "recommendation"):
                english, translated = getattr(item, field), item.translations.get(language, {}).get(field)
                if len(english) >= 12 and " " in english and english != translated:
                    wording.add(english)
    return wording


CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"


def _misplaced_punctuation(text: str, language: str) -> list[str]:
    """Punctuation a template put between translated words: ASCII , . : ; next to Chinese, or a French
    colon, semicolon, question or exclamation mark without its space."""
    text = re.sub(r"https?://\S+|\d[.:]\d", " ", text)
    pattern = rf"{CJK}\s*[,.:;]|[,:;]\s*{CJK}" if language == "zh-hans" else r"\w *[:;!?]"
    return [text[max(0, m.start() - 20) : m.end() + 5].strip() for m in re.finditer(pattern, text)]


# The questionnaire in every language


def _answer_checklist(client, url, questionnaire) -> None:
    """Answer every entry through the pages, the same answers whatever the language."""
    pages = questionnaire_pages(questionnaire)
    for page in pages:
        answers = {f"answer-{item.key}": str((item.order * 7) % (item.max_value + 1)) for item in page.items}
        answers.update({f"answer-{item.key}": "dk" for item in page.items if item.order % 5 == 0})
        assert client.post(url, {"page": page.number, "action": "next", **answers}).status_code == 302
    client.post(url, {"page": len(pages) + 1, "action": "submit"})


def test_a_checklist_answered_in_french_and_in_chinese_scores_as_in_english(client, member_factory, org_factory):
    questionnaire, _ = questionnaire_load(data=read_instrument_file(CHECKLIST_2_PATH))
    results = {}
    for language in ("en", *LANGUAGES):
        lead = member_factory(org_factory(f"Clinic {language}"), role="lead")
        cycle = cycle_create(
            organization=lead.organization,
            by=lead.user,
            questionnaire=questionnaire,
            label="Leadership 2026",
            mode=Cycle.Mode.TEAM,
            opens_on=timezone.localdate(),
        )
        login(client, lead.user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        url = reverse("assessment:respond", args=[lead.organization.slug, cycle.id])
        first = Item.objects.filter(questionnaire=questionnaire).order_by("order").first()
        wording = first.text if language == "en" else first.translations[language]["text"]
        assert escape(wording) in client.get(url).content.decode()
        _answer_checklist(client, url, questionnaire)
        cycle.refresh_from_db()
        assert cycle.status == Cycle.Status.CLOSED, language
        results[language] = cycle.results
        client.logout()
    assert results["fr"] == results["en"] and results["zh-hans"] == results["en"]


def test_switching_language_mid_survey_keeps_answers(client, staff):
    questionnaire, _ = questionnaire_load(data=read_instrument_file(STAFF_2_PATH))
    cycle = cycle_create(
        organization=staff.organization,
        by=staff.user,
        questionnaire=questionnaire,
        label="Staff survey 2026",
        mode=Cycle.Mode.STAFF,
        opens_on=timezone.localdate(),
    )
    login(client, staff.user)
    client.post(reverse("assessment:respond_start", args=[staff.organization.slug, cycle.id]))
    url = reverse("assessment:respond", args=[staff.organization.slug, cycle.id])
    first_page = questionnaire_pages(questionnaire)[0]
    answered = {f"answer-{item.key}": "2" for item in first_page.items[:3]}
    response = client.post(url, {"page": 1, "action": "language", "language": "fr", **answered})
    assert response.status_code == 302 and response["Location"] == f"{url}?page=1"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    page = client.get(url, {"page": 1}).content.decode()
    assert '<html lang="fr"' in page
    assert escape(first_page.dimension.translations["fr"]["name"]) in page
    for key in answered:
        assert re.search(rf'name="{key}" value="2" checked', page), key
    # And back to Chinese from the same page: nothing lost.
    client.post(url, {"page": 1, "action": "language", "language": "zh-hans"})
    page = client.get(url, {"page": 1}).content.decode()
    assert "知情同意" in page and all(re.search(rf'name="{key}" value="2" checked', page) for key in answered)


RESPONSE_MODELS = [
    assessment_models.Response,
    assessment_models.Answer,
    assessment_models.PendingResponse,
    assessment_models.Participation,
    assessment_models.SpentCredential,
    assessment_models.InvitedAddress,
    assessment_models.RespondentLink,
]


def test_no_column_under_response_stores_a_language():
    """In a small team a language could single a person out, so it is never kept with answers."""
    languages = {code for code, _name in settings.LANGUAGES}
    for model in RESPONSE_MODELS:
        for field in model._meta.get_fields():
            if not isinstance(field, models.Field):
                continue
            assert "lang" not in field.name and "locale" not in field.name, (model.__name__, field.name)
            choices = {value for value, _label in (field.choices or [])}
            assert not (choices & languages), (model.__name__, field.name)
    assert not any(field.name == "role_group" for field in Response._meta.get_fields())  # it lives in the seal


def test_counts_take_the_plural_of_the_language(client, staff):
    questionnaire, _ = questionnaire_load(data=read_instrument_file(STAFF_2_PATH))
    cycle = cycle_create(
        organization=staff.organization,
        by=staff.user,
        questionnaire=questionnaire,
        label="Staff survey 2026",
        mode=Cycle.Mode.STAFF,
        opens_on=timezone.localdate(),
    )
    login(client, staff.user)
    client.post(reverse("assessment:respond_start", args=[staff.organization.slug, cycle.id]))
    url = reverse("assessment:respond", args=[staff.organization.slug, cycle.id])
    total = questionnaire.items.count()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert f"0 question sur {total} a une réponse" in client.get(url).content.decode()
    first = questionnaire_pages(questionnaire)[0].items
    client.post(url, {"page": 1, "action": "next", **{f"answer-{item.key}": "2" for item in first[:2]}})
    assert f"2 questions sur {total} ont une réponse" in client.get(url, {"page": 1}).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert f"已回答 2 题，共 {total} 题" in client.get(url, {"page": 1}).content.decode()


def test_version_1_practices_say_they_are_english_only(client, lead, organization, closed_cycles):
    import datetime

    from reports.services import action_create

    (cycle,) = closed_cycles(organization, years=(2025,))
    item = Item.objects.get(questionnaire=cycle.questionnaire, key="police-contact-consent")
    action_create(
        organization=organization,
        by=lead.user,
        source_cycle=cycle,
        practice=item.key,
        what="Train volunteers",
        due_on=datetime.date(2020, 1, 1),
    )
    login(client, lead.user)
    dashboard = reverse("assessment:org_dashboard", args=[organization.slug])
    shown = {
        "fr": ["(version 1, en anglais seulement) ", "1 action ouverte, <strong>1 en retard</strong>."],
        "zh-hans": ["（第 1 版，仅有英文）", "1 项未完成的行动，<strong>1 项已逾期</strong>。"],
    }
    for language, expected in shown.items():
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        page = client.get(dashboard).content.decode()
        section = html.unescape(page[page.index('id="open-actions"') :])
        assert all(text in section for text in expected), (language, section[:400])
        actions = html.unescape(client.get(reverse("reports:actions", args=[organization.slug])).content.decode())
        assert expected[0] + " ".join(item.text.split()[:3]) in actions
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "English only" not in client.get(dashboard).content.decode()


def _english_wording(path: Path) -> set[str]:
    """The English of every worded field of an instrument file, as a page would show it."""
    data = json.loads(path.read_text())
    found = set()
    for part in (*data["dimensions"], *data["items"]):
        for key in ("text", "short", "help", "levels", "evidence_prompt", "name", "description"):
            english = (part.get(key) or {}).get("en") if isinstance(part.get(key), dict) else None
            for text in english if isinstance(english, list) else [english]:
                if text and len(text) >= 12 and " " in text:
                    found.add(text)
    return found


FORMS = {2: (STAFF_2_PATH, CHECKLIST_2_PATH), 3: (STAFF_3_PATH, CHECKLIST_3_PATH)}


def _load_versions_before(version: int) -> None:
    """Load the earlier versions, as an installation holds them: a version is checked against the one before."""
    for earlier in range(2, version):
        for path in FORMS[earlier]:
            questionnaire_load(data=read_instrument_file(path))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("version", FORMS)
def test_version_2_and_3_questions_show_no_english(client, lead, staff, language, version):
    """Every page of both forms of a version, in French and Chinese, shows none of their English."""
    staff_form, checklist = FORMS[version]
    _load_versions_before(version)
    for path, mode, person in ((staff_form, Cycle.Mode.STAFF, staff), (checklist, Cycle.Mode.TEAM, lead)):
        questionnaire, _ = questionnaire_load(data=read_instrument_file(path))
        cycle = cycle_create(
            organization=lead.organization,
            by=lead.user,
            questionnaire=questionnaire,
            label=f"Audit {mode}",
            mode=mode,
            opens_on=timezone.localdate(),
        )
        login(client, person.user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        client.post(reverse("assessment:respond_start", args=[lead.organization.slug, cycle.id]))
        url = reverse("assessment:respond", args=[lead.organization.slug, cycle.id])
        english = _english_wording(path)
        shown = ""
        for page in questionnaire_pages(questionnaire):
            response = client.get(url, {"page": page.number})
            assert response.status_code == 200
            shown += _shown_text(response.content.decode())
        assert questionnaire.items.first().translations[language]["text"] in shown
        left = sorted(text for text in english if text in shown)
        assert not left, f"{path.name} in {language} still shows English: {left[:3]}"
        client.logout()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_version_3_self_audit_report_and_its_files_show_no_english(client, lead, language):
    """The self-audit answered in the reader's language, then its report, board summary and exports."""
    _load_versions_before(3)
    questionnaire_load(data=read_instrument_file(STAFF_3_PATH))
    questionnaire, _ = questionnaire_load(data=read_instrument_file(CHECKLIST_3_PATH))
    cycle = cycle_create(
        organization=lead.organization,
        by=lead.user,
        questionnaire=questionnaire,
        label="Audit 2026",
        mode=Cycle.Mode.TEAM,
        opens_on=timezone.localdate(),
    )
    login(client, lead.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    _answer_checklist(client, reverse("assessment:respond", args=[lead.organization.slug, cycle.id]), questionnaire)
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.CLOSED
    args = [lead.organization.slug, cycle.id]
    english = _english_wording(CHECKLIST_3_PATH) | _english_wording(STAFF_3_PATH)
    for name in ("reports:cycle_report", "reports:board_summary", *EXPORTS):
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
        if name in EXPORTS:
            text = _export_text(name, b"".join(response) if response.streaming else response.content)
        else:
            text = _shown_text(response.content.decode())
        assert questionnaire.dimensions.first().translations[language]["name"] in text, name
        left = sorted(wording for wording in english if wording in text)
        assert not left, f"{name} in {language} still shows English: {left[:3]}"
        _assert_in_language(text, language, name, typed=(lead.organization.name,))


# Files and emails, in each language


EXPORTS = ("reports:report_csv", "reports:report_xlsx", "reports:report_json")
CELLS = " ¦ "  # between cells: a file's commas are not the text's punctuation


def _export_text(name: str, content: bytes) -> str:
    if name == "reports:report_csv":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            files = [archive.read(member).decode("utf-8-sig") for member in archive.namelist()]
        return CELLS.join(cell for file in files for row in csv.reader(io.StringIO(file)) for cell in row)
    if name == "reports:report_xlsx":
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        return CELLS.join(
            str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row if cell
        )
    return CELLS.join(_json_strings(json.loads(content)))


def _json_strings(value) -> list[str]:
    """The values a reader sees in a JSON export; its keys are names for programs."""
    if isinstance(value, dict):
        return [s for v in value.values() for s in _json_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _json_strings(v)]
    return [value] if isinstance(value, str) else []


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", EXPORTS)
def test_every_export_is_in_the_readers_language(db, client, world, name, language):  # noqa: F811
    params, overrides, users = world
    params = {**params, **overrides.get(name, {})}
    login(client, users[_readable_by(name)])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    named = next(u for u in named_urls() if u.name == name)
    response = client.get(reverse(name, kwargs={p: params[p] for p in named.params}))
    assert response.status_code == 200
    text = _export_text(name, b"".join(response) if response.streaming else response.content)
    assert len(text) > 500, text
    _assert_in_language(text, language, name, typed=(Organization.objects.get(slug=params["org_slug"]).name,))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_email_is_in_the_readers_language(language, organization, admin, lead, member_factory, questionnaire):
    """Member and survey invitations, lists waiting for approval, reminders and calendar notices."""
    member_factory(organization, role="admin")  # a second admin: typed lists wait for approval
    lead.user.language = language
    lead.user.save(update_fields=["language"])
    with translation.override(language), TestCase.captureOnCommitCallbacks(execute=True):
        account_services.invitation_create(
            organization=organization, email="new@example.org", role="staff", by=admin.user, accept_url_for=str
        )
        cycle = cycle_create(
            organization=organization,
            by=lead.user,
            questionnaire=questionnaire,
            label="Survey 2026",
            mode=Cycle.Mode.STAFF,
            opens_on=timezone.localdate(),
            closes_on=timezone.localdate() + timedelta(days=20),
        )
        invitations_send(cycle=cycle, by=lead.user, addresses=["a@example.org", "b@example.org"], site_url=SITE)
    list_id = RespondentLink.objects.filter(cycle=cycle).values_list("approval_list", flat=True).first()
    with TestCase.captureOnCommitCallbacks(execute=True):
        invitations_approve(cycle=cycle, list_id=list_id, by=admin.user, site_url=SITE)
    with translation.override(language), TestCase.captureOnCommitCallbacks(execute=True):
        reminders_send(cycle=cycle, by=lead.user, message="", site_url=SITE)
    schedule_set(organization=organization, by=lead.user, mode="team", month=4, weeks=2)
    schedule_notices_send(today=date(2027, 3, 28), site_url=SITE)
    subjects = {message.subject for message in mail.outbox}
    assert len(subjects) >= 5, subjects  # one of each kind
    # One rendering path for every email (allauth's adapter): the site's prefix and sender on each.
    assert all(s.startswith(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX) for s in subjects), subjects
    assert {message.from_email for message in mail.outbox} == {settings.DEFAULT_FROM_EMAIL}
    for message in mail.outbox:
        if lead.user.email not in message.to and message.to[0] not in {"a@example.org", "b@example.org"}:
            continue  # an admin's own language
        _assert_in_language(f"{message.subject} {message.body}", language, message.subject, typed=(organization.name,))
