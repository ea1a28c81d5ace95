import itertools
import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.models import Membership, Organization, User
from assessment.demo import INSTRUMENT_PATH
from assessment.instrument_file import read_instrument_file
from assessment.models import Cycle
from assessment.services.cycles import cycle_close, cycle_create
from assessment.services.links import invitations_send, link_redeem, shared_link_create
from assessment.services.questionnaires import questionnaire_load
from assessment.services.responding import staff_draft_save, staff_draft_submit
from tests.origin import off_origin_urls
from tests.queues import task_queue  # noqa: F401 (a fixture for every test module)

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)
ROOT = Path(__file__).resolve().parent.parent
# Where most of the suite's time goes: browsers, a real installation, the demo, the benchmark's
# query counts and the migration tests. ``pytest -m "not slow"`` runs everything else.
SLOW = (
    *("tests/e2e/", "tests/deploy/", "tests/home/test_demo.py", "tests/home/test_query_counts.py"),
    *("tests/coalitions/test_migration.py", "tests/test_upgrade.py", "tests/assessment/test_migration_sealed.py"),
)


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(item.fspath).resolve().relative_to(ROOT).as_posix().startswith(SLOW):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _test_settings(settings):
    """Fast password hashing and a private cache, so allauth's rate limits never carry over."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    site_key_function = settings.CACHES["default"]["KEY_FUNCTION"]  # so tests meet the keys the site stores
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "KEY_FUNCTION": site_key_function}
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cache.clear()
    # A page asked for in Chinese leaves Chinese active in the thread; each test starts in English.
    with translation.override(settings.LANGUAGE_CODE):
        yield settings
    cache.clear()


@pytest.fixture
def database_cache(settings, db):
    """The database cache the site uses without Redis, with the site's own key function."""
    private = settings.CACHES
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "ally_cache",
        }
    }
    call_command("createcachetable", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ally_cache")
    yield settings
    settings.CACHES = private


@pytest.fixture(autouse=True)
def _pages_stay_on_origin(monkeypatch):
    """Fail any test whose pages load or link anything from another origin."""
    original = Client.request

    def checked(self, **request):
        response = original(self, **request)
        if response.get("Content-Type", "").startswith("text/html") and not response.streaming:
            offending = off_origin_urls(response.content.decode(), {"testserver", "localhost", "127.0.0.1"})
            assert not offending, f"{request.get('PATH_INFO')} points off the origin: {offending}"
        return response

    monkeypatch.setattr(Client, "request", checked)


@pytest.fixture
def user_factory(db):
    def make(email: str | None = None, *, password: str = PASSWORD, verified: bool = True) -> User:
        email = email or f"person{next(_counter)}@example.org"
        user = User.objects.create_user(email=email, password=password)
        EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
        return user

    return make


@pytest.fixture
def org_factory(db):
    def make(name: str | None = None, **fields) -> Organization:
        number = next(_counter)
        fields.setdefault("sector", Organization.Sector.LEGAL)
        return Organization.objects.create(name=name or f"Org {number}", slug=f"org-{number}", **fields)

    return make


@pytest.fixture
def member_factory(user_factory, org_factory):
    def make(organization: Organization | None = None, role: str = Membership.Role.STAFF, **user_fields) -> Membership:
        organization = organization or org_factory()
        return Membership.objects.create(user=user_factory(**user_fields), organization=organization, role=role)

    return make


@pytest.fixture
def organization(org_factory):
    return org_factory("Riverside Clinic")


@pytest.fixture
def admin(member_factory, organization):
    return member_factory(organization, Membership.Role.ADMIN)


@pytest.fixture
def lead(member_factory, organization):
    return member_factory(organization, Membership.Role.LEAD)


@pytest.fixture
def staff(member_factory, organization):
    return member_factory(organization, Membership.Role.STAFF)


@pytest.fixture
def outsider(member_factory, org_factory):
    """A member of another organization."""
    return member_factory(org_factory("Elsewhere"), Membership.Role.ADMIN)


def login(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def count_queries(client, url: str) -> int:
    """Fetch a page that must answer 200 and return how many queries it took."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    return len(queries)


def full_answers(questionnaire, value="3") -> dict[str, str]:
    """Answer every item of the questionnaire with ``value`` (capped at each item's maximum)."""
    answers = {}
    for item in questionnaire.items.all():
        answers[item.key] = value if not value.isdigit() else str(min(int(value), item.max_value))
    return answers


def submit_through_link(token: str, answers: dict[str, str], role_group: str = "") -> None:
    """Start from a link, answer everything and submit, as a respondent's browser would."""
    cycle, draft = link_redeem(token=token)
    draft = staff_draft_save(cycle=cycle, draft=draft, answers=answers, role_group=role_group)
    staff_draft_submit(cycle=cycle, draft=draft)


def invite(cycle, by, addresses: list[str]) -> list[str]:
    """Invite addresses as a lead would, send the emails, and return the tokens they carry."""
    before = len(mail.outbox)
    with TestCase.captureOnCommitCallbacks(execute=True):
        invitations_send(cycle=cycle, by=by, addresses=addresses, site_url="")
    return invitation_tokens(mail.outbox[before:])


def invitation_tokens(outbox) -> list[str]:
    """Return the link tokens in sent invitation emails, in the order they were sent."""
    return [match for message in outbox for match in re.findall(r"/r/([A-Za-z0-9_-]{20,})/", message.body)]


@pytest.fixture
def questionnaire(db):
    questionnaire, _ = questionnaire_load(data=read_instrument_file(INSTRUMENT_PATH))
    return questionnaire


@pytest.fixture
def closed_cycles(questionnaire, admin, lead, staff, django_capture_on_commit_callbacks):
    """Build closed staff surveys, one per year, each answered through single-use links, with
    their reports built as the task after each close builds them."""

    def build(organization, years=(2024, 2025), responses=4, values=("1", "2", "3", "4"), min_responses=3):
        cycles = []
        for index, year in enumerate(years):
            cycle = cycle_create(
                organization=organization,
                by=admin.user,
                questionnaire=questionnaire,
                label=f"{year} staff survey",
                mode=Cycle.Mode.STAFF,
                opens_on=f"{year}-03-01",
                min_responses=min_responses,
            )
            token = shared_link_create(cycle=cycle, by=admin.user)
            for number in range(responses):
                value = values[(number + index) % len(values)]
                group = ["frontline", "leadership", "volunteer", ""][number % 4]
                submit_through_link(token, full_answers(questionnaire, value), group)
            with django_capture_on_commit_callbacks(execute=True):
                cycles.append(cycle_close(cycle=cycle, by=admin.user, on=f"{year}-04-01"))
        return cycles

    return build
