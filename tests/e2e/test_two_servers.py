"""Two app servers behind one database and one Redis: nothing a visitor relies on may live in
one process's memory. Two gunicorn processes on two loopback ports stand in for two machines,
and a small balancer in front of them gives the browser one site; the test says which server
answers each step."""

import http.client
import os
import subprocess
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, urlunsplit

import pytest

from home import load
from tests.conftest import PASSWORD
from tests.queues import REDIS_URL

SEED = """
from datetime import date
from allauth.account.models import EmailAddress
from accounts.models import Membership, Organization, User
from assessment.demo import INSTRUMENT_PATH
from assessment.instrument_file import read_instrument_file
from assessment.models import Cycle
from assessment.services.cycles import cycle_create
from assessment.services.links import shared_link_create
from assessment.services.questionnaires import questionnaire_load

questionnaire, _ = questionnaire_load(data=read_instrument_file(INSTRUMENT_PATH))
organization = Organization.objects.create(name="Harbour Legal", slug="harbour-legal", sector="legal")
lead = User.objects.create_user(email="lead@harbour.example", password=%(password)r)
EmailAddress.objects.create(user=lead, email=lead.email, verified=True, primary=True)
Membership.objects.create(user=lead, organization=organization, role=Membership.Role.LEAD)
cycle = cycle_create(
    organization=organization, by=lead, questionnaire=questionnaire, label="Staff survey",
    mode=Cycle.Mode.STAFF, opens_on=date.today(), min_responses=3,
)
print(shared_link_create(cycle=cycle, by=lead))
"""


@pytest.fixture
def redis_url():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        message = f"Redis is not reachable at {REDIS_URL}: apt-get install -y redis-server"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


@pytest.fixture
def database_url(tmp_path):
    """A database of its own: on PostgreSQL when the suite runs there, else a SQLite file."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'two-servers.sqlite3'}"
        return
    import psycopg

    name = f"ally_two_servers_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(url)
    yield urlunsplit(parts._replace(path=f"/{name}"))
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Balancer(ThreadingHTTPServer):
    """Forwards every request, unchanged, to the app server currently chosen."""

    daemon_threads = True

    def __init__(self, ports):
        self.ports, self.target = ports, 0
        super().__init__(("127.0.0.1", 0), _Forward)


class _Forward(BaseHTTPRequestHandler):
    def _forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        upstream = http.client.HTTPConnection("127.0.0.1", self.server.ports[self.server.target], timeout=30)
        upstream.request(self.command, self.path, body=body, headers=dict(self.headers))
        response = upstream.getresponse()
        content = response.read()
        self.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in ("connection", "transfer-encoding", "content-length"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(content)
        upstream.close()

    do_GET = do_POST = do_HEAD = _forward

    def log_message(self, *args):
        pass


@pytest.fixture
def servers(database_url, redis_url):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "ALLY_TASKS": "immediate",
        "DJANGO_SECRET_KEY": "two-servers-" + uuid.uuid4().hex,  # shared by both, as in a deployment
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--verbosity", "0"], env=env, check=True)
    seeded = subprocess.run(
        [*manage, "shell", "-c", SEED % {"password": PASSWORD}], env=env, check=True, capture_output=True, text=True
    )
    token = seeded.stdout.strip().splitlines()[-1]
    ports = [load.free_port(), load.free_port()]
    processes = [load.serve(env, port) for port in ports]
    balancer = Balancer(ports)
    threading.Thread(target=balancer.serve_forever, daemon=True).start()
    try:
        yield balancer, token
    finally:
        balancer.shutdown()
        balancer.server_close()
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


@pytest.fixture
def context(browser):
    context = browser.new_context(locale="en-CA")
    context.set_default_timeout(15_000)
    yield context
    context.close()


def _site(balancer):
    return f"http://127.0.0.1:{balancer.server_address[1]}"


def test_a_login_on_one_server_is_valid_on_the_other(servers, context):
    balancer, _ = servers
    site, page = _site(balancer), context.new_page()
    page.goto(f"{site}/accounts/login/")
    page.get_by_label("Email:").fill("lead@harbour.example")
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{site}/")
    balancer.target = 1
    response = page.goto(f"{site}/o/harbour-legal/")
    assert response.status == 200
    assert page.url == f"{site}/o/harbour-legal/"
    assert page.get_by_role("heading", name="Harbour Legal").count()


def test_failed_logins_are_counted_across_both_servers(servers, context):
    """Five failed logins for one account within five minutes, spread over both servers, lock it for a while."""
    balancer, _ = servers
    site, page = _site(balancer), context.new_page()
    for attempt in range(5):
        balancer.target = attempt % 2
        page.goto(f"{site}/accounts/login/")
        page.get_by_label("Email:").fill("lead@harbour.example")
        page.get_by_label("Password:").fill("not the password")
        page.get_by_role("button", name="Log in").click()
        page.get_by_text("not correct").wait_for()
    balancer.target = 1
    page.goto(f"{site}/accounts/login/")
    page.get_by_label("Email:").fill("lead@harbour.example")
    page.get_by_label("Password:").fill(PASSWORD)  # even the right password waits out the lock
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("Too many failed login attempts").wait_for()
    assert page.url.startswith(f"{site}/accounts/login/")


def test_a_survey_half_answered_on_one_server_is_finished_on_the_other(servers, context):
    balancer, token = servers
    site, page = _site(balancer), context.new_page()
    page.goto(f"{site}/r/{token}/")
    page.get_by_role("button", name="Start the survey").click()
    page.wait_for_url(f"{site}/r/continue/")
    radios = page.locator("fieldset.question input[type=radio][value='2']")
    for index in range(radios.count()):
        radios.nth(index).check()
    page.get_by_role("button", name="Save and finish later").click()
    page.get_by_text("Your answers are saved").wait_for()

    balancer.target = 1
    page.goto(f"{site}/r/continue/")  # the other server opens the first page with nothing answered
    assert not page.locator("fieldset.question input[type=radio]:checked").count()
    page.goto(f"{site}/r/continue/?page=1")
    assert page.locator("fieldset.question input[type=radio][value='2']").first.is_checked()
    page.get_by_role("button", name="Save and continue").click()
    while page.get_by_role("heading", name="Finish").count() == 0:
        radios = page.locator("fieldset.question input[type=radio][value='2']")
        for index in range(radios.count()):
            radios.nth(index).check()
        page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Submit answers").click()
    page.wait_for_url(f"{site}/r/thanks/")
