"""A real installation, start to finish, as the README's Deploy section makes one.

On a fresh PostgreSQL database and an empty Redis database, with ALLY_ENV=production: the
environment file is filled in from deploy/ally.env.example, deploy/install.sh (the script the README
tells the operator to run) migrates, loads the questionnaires, collects static files and checks the
production settings; gunicorn and the RQ worker run the commands of their systemd units, nginx
serves deploy/nginx/ally.conf over TLS with a self-signed certificate, and emails go to a local
SMTP server that takes them only over STARTTLS with a login. Then Chromium, over https, does what
a new organization does: sign up and verify by the emailed link, create the organization, open a
staff survey, invite three addresses, answer from the emailed links, close, read the report the
worker built and download an export. A mail server that refuses shows the lead the failure after
the retries, and the schedule timer's command, run twice, sends each notice once.
"""

import email
import json
import logging
import os
import re
import secrets
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from email import policy
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from config import __version__
from home.load import free_port
from tests.deploy.conftest import missing
from tests.deploy.installation import (
    DEPLOY,
    ROOT,
    Places,
    env_file_from_template,
    nginx_config,
    read_env_file,
    self_signed_certificate,
    unit_command,
)
from tests.queues import REDIS_URL

CHROMIUM = "/usr/bin/chromium"
MAIL_LOGIN, MAIL_PASSWORD = "ally-mailer", "mail-" + secrets.token_urlsafe(12)
PASSWORD = "a long passphrase for the founder"
WAIT = 60  # seconds: the worker, the retries and the report build each finish well within it


class Mailbox:
    """What the local SMTP server received; ``refuse`` makes it refuse every recipient."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.refuse = False
        self.refused = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            with self.lock:
                self.refused += 1
            return "550 5.7.1 Delivery refused"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        assert session.authenticated and session.ssl is not None  # never in the clear, never without a login
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        with self.lock:
            return [m for m in self.messages if address in m["To"]]

    def wait_for(self, address: str, count: int = 1) -> list[email.message.EmailMessage]:
        deadline = time.monotonic() + WAIT
        while len(self.to(address)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"no email for {address} within {WAIT} s (got {len(self.to(address))})")
            time.sleep(0.2)
        return self.to(address)


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _authenticator(server, session, envelope, mechanism, auth_data):
    from aiosmtpd.smtp import AuthResult, LoginPassword

    good = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        MAIL_LOGIN.encode(),
        MAIL_PASSWORD.encode(),
    )
    return AuthResult(success=good)


@pytest.fixture
def mailbox(tmp_path, openssl):
    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.ERROR)  # aiosmtpd's notes on its own deprecations
    certificate, key = self_signed_certificate(openssl, tmp_path / "mail", "localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate, key)
    box = Mailbox()
    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=context,
        require_starttls=True,
        authenticator=_authenticator,
        auth_required=True,
    )
    controller.start()
    box.port, box.certificate = controller.port, certificate
    yield box
    controller.stop()


@pytest.fixture
def fresh_database():
    """A new, empty PostgreSQL database on the server of DATABASE_URL, dropped afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        missing("the deploy test needs DATABASE_URL=postgres://… (a server whose user may create databases)")
    import psycopg

    name = f"{urlsplit(url).path.lstrip('/')}_deploy_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def fresh_redis():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        missing(f"Redis is not reachable at {REDIS_URL}: apt-get install -y redis-server")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


@pytest.fixture
def browser():
    if not os.path.exists(CHROMIUM):
        missing(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import LAUNCH_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


class Services:
    """Processes started from the units' commands and nginx, stopped (by their own ids) at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.processes = folder, {}

    def start(self, name: str, command: list[str], cwd: Path, env: dict[str, str]) -> None:
        log = open(self.folder / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        self.processes[name] = (subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=log), log)

    def check_running(self) -> None:
        for name, (process, _log) in self.processes.items():
            assert process.poll() is None, f"{name} stopped:\n{self.log(name)}"

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        for process, log in self.processes.values():
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()


def _get(url: str, context: ssl.SSLContext | None = None):
    request = urllib.request.Request(url)
    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=context), _NoRedirect()
    )  # a redirect is an answer
    try:
        return opener.open(request, timeout=10)
    except urllib.error.HTTPError as error:
        return error


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _wait_until_served(url: str, context: ssl.SSLContext, services: Services) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        services.check_running()
        try:
            if _get(url, context).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {WAIT} s:\n{services.log('gunicorn')}")


def _wait_for(condition, what: str, services: Services) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        services.check_running()
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {WAIT} s; the worker's log:\n{services.log('worker')}")
        time.sleep(0.5)


def _readme_deploy_section() -> str:
    text = (ROOT / "README.md").read_text()
    return text.split("\n## Deploy\n", 1)[1].split("\n## ", 1)[0]


def _answer_through(browser, link: str) -> None:
    context = browser.new_context(ignore_https_errors=True, locale="en-CA")
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(link)
    page.get_by_role("button", name="Start the survey").click()
    page.wait_for_url("**/r/continue/")
    while page.get_by_role("heading", name="Finish").count() == 0:
        radios = page.locator("fieldset.question input[type=radio][value='2']")
        for index in range(radios.count()):
            radios.nth(index).check()
        page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Submit answers").click()
    page.wait_for_url("**/r/thanks/")
    context.close()


def _notice_month_and_weeks(today) -> tuple[int, int]:
    """Return a month and length for a yearly leadership self-audit that has a calendar notice due today."""
    from types import SimpleNamespace

    from assessment.services.schedules import _notice_kind, _state

    for month in range(1, 13):
        for weeks in (1, 4):
            schedule = SimpleNamespace(month=month, weeks=weeks, mode="team")
            if _notice_kind(_state(schedule, today, {}, set())) is not None:
                return month, weeks
    raise AssertionError("no month has a notice due")


def test_an_installation_made_as_the_readme_says_serves_a_whole_survey(
    tmp_path, nginx, openssl, mailbox, fresh_database, fresh_redis, browser
):
    deploy_section = _readme_deploy_section()
    assert "deploy/install.sh /etc/ally/ally.env" in deploy_section  # the README runs the script this test runs
    for unit in ("ally-web", "ally-worker", "ally-schedule.timer", "ally-prune.timer", "deploy/nginx/ally.conf"):
        assert unit in deploy_section, unit

    # The operator's files: the certificate, the environment file from its template.
    certificate, key = self_signed_certificate(openssl, tmp_path, "localhost")
    places = Places(
        folder=tmp_path,
        env_file=tmp_path / "ally.env",
        certificate=certificate,
        key=key,
        app_port=free_port(),
        https_port=free_port(),
        http_port=free_port(),
    )
    site = f"https://localhost:{places.https_port}"
    # The application trusts the mail server's self-signed certificate through SSL_CERT_FILE, as an
    # installation whose mail server has a private authority would.
    authorities = tmp_path / "trusted-authorities.pem"
    authorities.write_text(Path(ssl.get_default_verify_paths().cafile).read_text() + mailbox.certificate.read_text())
    places.env_file.write_text(
        env_file_from_template(
            {
                "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
                "DJANGO_ALLOWED_HOSTS": "localhost",
                "DJANGO_CSRF_TRUSTED_ORIGINS": site,
                "ALLY_SITE_URL": site,
                "DATABASE_URL": fresh_database,
                "REDIS_URL": fresh_redis,
                "EMAIL_HOST": "localhost",
                "EMAIL_PORT": str(mailbox.port),
                "EMAIL_HOST_USER": MAIL_LOGIN,
                "EMAIL_HOST_PASSWORD": MAIL_PASSWORD,
                "DEFAULT_FROM_EMAIL": '"Ally Readiness <no-reply@localhost>"',
                "SSL_CERT_FILE": str(authorities),
                # Retries a second apart instead of five minutes, so that three attempts fit the test.
                "ALLY_EMAIL_RETRY_SECONDS": "1",
            }
        )
    )
    settings = read_env_file(places.env_file)
    chosen = (settings["ALLY_ENV"], settings["ALLY_TASKS"], settings["DJANGO_BEHIND_PROXY"])
    assert chosen == ("production", "rq", "true")  # as the template has them
    # What systemd gives a service: its environment file and little else.
    service_env = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", **settings}

    installed = subprocess.run(
        [str(DEPLOY / "install.sh"), str(places.env_file)],
        cwd=tmp_path,  # the script finds its own folder
        env={**service_env, "PYTHON": str(unit_command("ally-worker.service", places)[0][0])},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]
    shipped = [path for path in (ROOT / "fixtures" / "questionnaires").glob("*.json") if path.name != "crosswalk.json"]
    assert installed.stdout.count("\nLoaded ") == len(shipped) >= 3, installed.stdout
    assert "System check identified no issues" in installed.stdout + installed.stderr

    services = Services(tmp_path)
    try:
        for name, unit in (("gunicorn", "ally-web.service"), ("worker", "ally-worker.service")):
            command, cwd = unit_command(unit, places)
            services.start(name, command, cwd, service_env)
        services.start("nginx", [nginx, "-p", str(tmp_path), "-c", str(nginx_config(places)), "-g", "daemon off;"],
                       tmp_path, {"PATH": os.environ["PATH"]})  # fmt: skip
        trust = ssl.create_default_context(cafile=str(certificate))
        _wait_until_served(f"{site}/healthz", trust, services)
        health = _get(f"{site}/healthz", trust)
        # The release it runs, as /healthz says since 0.3.0 (config.__version__ reads pyproject.toml).
        assert json.loads(health.read()) == {"status": "ok", "database": "ok", "cache": "ok", "version": __version__}
        assert "max-age=31536000" in health.headers["Strict-Transport-Security"]  # X-Forwarded-Proto reached it
        plain = _get(f"http://localhost:{places.http_port}/accounts/login/")
        assert plain.status == 301 and plain.headers["Location"].startswith("https://localhost")

        _the_survey_of_a_new_organization(browser, site, mailbox, services, fresh_database)
        _run_schedule_twice_sends_each_notice_once(browser, site, mailbox, places, service_env)
        services.check_running()
        access_log = (tmp_path / "ally.access.log").read_text()
        assert access_log and "/r/" not in access_log and "127.0.0.1" not in access_log
    finally:
        services.stop()


def _the_survey_of_a_new_organization(browser, site, mailbox, services, database_url) -> None:
    import psycopg

    context = browser.new_context(base_url=site, ignore_https_errors=True, locale="en-CA")
    context.set_default_timeout(20_000)
    page = context.new_page()

    page.goto("/accounts/signup/")
    page.get_by_label("Email:").fill("founder@harbour.example")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again):").fill(PASSWORD)
    page.get_by_role("button", name="Create the account").click()
    page.wait_for_url("**/accounts/confirm-email/")
    (verification,) = mailbox.wait_for("founder@harbour.example")
    link = re.search(r"https://\S+/accounts/confirm-email/\S+/", _text(verification)).group(0)
    assert link.startswith(f"{site}/")  # the address the visitor used, through the proxy
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(f"{site}/")

    page.get_by_role("link", name="Set up an organization").click()
    page.get_by_label("Name").fill("Harbour Health Centre")
    page.get_by_label("Sector").select_option("health")
    page.get_by_role("button", name="Create organization").click()
    page.wait_for_url("**/o/harbour-health-centre/")

    page.get_by_role("link", name="Start a new audit").click()
    page.get_by_label("Label:").fill("Deploy staff survey")
    page.get_by_label("Anonymous staff survey").check()
    page.get_by_label("Minimum responses for a staff report").fill("3")
    page.get_by_role("button", name="Open the audit").click()
    page.get_by_text("“Deploy staff survey” is open.").wait_for()
    survey_url = page.url

    invitees = ["ana@harbour.example", "bo@harbour.example", "cy@harbour.example"]
    page.get_by_label("Email addresses to invite").fill("\n".join(invitees))
    page.get_by_role("button", name="Send invitations").click()
    page.get_by_text("3 invitations are on their way").wait_for()
    links = []
    for address in invitees:
        (invitation,) = mailbox.wait_for(address)  # sent by the worker, over STARTTLS, logged in
        links.append(re.search(rf"{re.escape(site)}/r/[A-Za-z0-9_-]{{20,}}/", _text(invitation)).group(0))
    for link in links:
        _answer_through(browser, link)

    # The mail server refuses: three attempts, a second and two apart, then the lead is told.
    mailbox.refuse = True
    page.get_by_label("Email addresses to invite").fill("dee@harbour.example")
    page.get_by_role("button", name="Send invitations").click()
    page.get_by_text("1 invitation is on its way").wait_for()

    def failure_shown() -> bool:
        page.goto(survey_url)
        return page.locator("#failed-deliveries").count() == 1

    _wait_for(failure_shown, "the failed invitation was not shown to the lead", services)
    assert mailbox.refused == 3 and not mailbox.to("dee@harbour.example")
    assert "1 invitation could not be sent after three tries" in page.locator("#failed-deliveries").inner_text()
    mailbox.refuse = False

    page.get_by_role("link", name="Close the audit…").click()
    page.get_by_role("button", name="Close the audit").click()
    page.get_by_text("“Deploy staff survey” is closed.").wait_for()

    def reports_stored() -> int:
        with psycopg.connect(database_url) as connection:
            return connection.execute(
                "SELECT count(*) FROM reports_cyclereport r JOIN assessment_cycle c ON c.id = r.cycle_id "
                "WHERE c.label = %s",
                ["Deploy staff survey"],
            ).fetchone()[0]

    # The worker builds the report in every language before anyone opens it.
    _wait_for(lambda: reports_stored() == 3, "the worker did not store the report in three languages", services)
    page.get_by_role("link", name="Read the full report").click()
    page.get_by_role("heading", name="Deploy staff survey", level=1).wait_for()
    assert "· 3 responses" in page.locator(".report-header").inner_text()

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV files (ZIP)").click()
    with zipfile.ZipFile(download.value.path()) as archive:
        names = archive.namelist()
        assert names and all(name.endswith(".csv") for name in names)
        assert any("consent" in archive.read(name).decode() for name in names)
    context.close()


def _run_schedule_twice_sends_each_notice_once(browser, site, mailbox, places, service_env) -> None:
    from django.utils import timezone

    month, weeks = _notice_month_and_weeks(timezone.localdate())
    context = browser.new_context(base_url=site, ignore_https_errors=True, locale="en-CA")
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email:").fill("founder@harbour.example")
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{site}/")
    page.goto("/o/harbour-health-centre/calendar/")
    section = page.locator("section", has=page.get_by_role("heading", name=re.compile("^Leadership self-audit")))
    section.get_by_label("Month").select_option(str(month))
    section.get_by_label("Weeks open").fill(str(weeks))
    section.get_by_role("button", name="Save").click()
    page.get_by_text("The audit calendar is saved.").wait_for()
    context.close()

    before = len(mailbox.to("founder@harbour.example"))
    command, cwd = unit_command("ally-schedule.service", places)  # what ally-schedule.timer starts
    runs = [subprocess.run(command, cwd=cwd, env=service_env, capture_output=True, text=True) for _ in range(2)]
    assert [run.returncode for run in runs] == [0, 0], runs[0].stderr + runs[1].stderr
    assert [run.stdout.strip() for run in runs] == [
        "0 scheduled audit(s) opened.\n1 schedule notice(s) sent.",
        "0 scheduled audit(s) opened.\n0 schedule notice(s) sent.",
    ]
    notices = mailbox.to("founder@harbour.example")[before:]
    assert len(notices) == 1 and f"{site}/o/harbour-health-centre/" in _text(notices[0])
