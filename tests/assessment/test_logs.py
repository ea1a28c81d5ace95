"""No log line holds a respondent's link token, an invited address or an answer."""

import io
import logging
import logging.config
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.test import Client
from django.urls import reverse

from assessment.models import PendingResponse
from assessment.selectors import questionnaire_pages
from config.logs import logging_config
from tests.conftest import full_answers, invite, login

ROOT = Path(__file__).resolve().parents[2]


def test_every_handler_redacts_tokens():
    for name, handler in settings.LOGGING["handlers"].items():
        assert "redact_tokens" in handler.get("filters", []), name


@contextmanager
def site_logs(json_lines: bool = False, level: str = "INFO"):
    """Log through the site's own configuration into a string."""
    stream = io.StringIO()
    config = logging_config(level=level, json_lines=json_lines)
    for handler in config["handlers"].values():
        handler["stream"] = stream
    logging.config.dictConfig(config)
    try:
        yield stream
    finally:
        logging.config.dictConfig(settings.LOGGING)


def _emit(json_lines: bool, *args) -> str:
    with site_logs(json_lines) as stream:
        logging.getLogger("django.server").info(*args)
        logging.getLogger("gunicorn.access").info(*args)
    return stream.getvalue()


def test_server_and_access_logs_drop_link_tokens():
    token = "Zx9_Qw8-Er7Ty6Ui5Op4As3Df2Gh1Jk0"
    for json_lines in (False, True):
        output = _emit(json_lines, '"%s" %s %s', f"POST /r/{token}/ HTTP/1.1", "302", "0")
        assert token not in output and "/r/[token]/" in output
        output = _emit(json_lines, "GET /invite/%s/", token)
        assert token not in output


def test_the_response_path_logs_no_token_address_or_answer(lead, staff_cycle, questionnaire):
    address = "quiet.person@example.org"
    with site_logs(level="DEBUG") as stream:
        token = invite(staff_cycle, lead.user, [address])[0]
        browser = Client()
        browser.post(reverse("assessment:link_landing", args=[token]))
        url = reverse("assessment:link_continue")
        answers = full_answers(questionnaire, "2")
        browser.post(url, {"page": 1, "action": "save", **{f"answer-{k}": v for k, v in answers.items()}})
        browser.post(url, {"page": 4, "action": "submit", "role_group": "volunteer"})
        # Opening the spent link again is a 404, which Django logs with its path.
        Client().get(reverse("assessment:link_landing", args=[token]))
    logged = stream.getvalue()
    assert "Not Found: /r/[token]/" in logged
    assert token not in logged
    assert address not in logged
    assert "volunteer" not in logged


def _gunicorn_logger():
    """Return gunicorn's logger as ``gunicorn.conf.py`` configures it for a server."""
    from gunicorn.app.base import Application

    class Configured(Application):
        def load_config(self):
            self.load_config_from_file(str(ROOT / "gunicorn.conf.py"))

        def load(self):
            raise NotImplementedError

    cfg = Configured().cfg
    return cfg.logger_class(cfg)


class _Sent:
    status, sent, headers = "200 OK", 512, [("Content-Type", "text/html")]


def _access(logger, method: str, uri: str) -> None:
    path, _, query = uri.partition("?")
    environ = {
        "REQUEST_METHOD": method,
        "RAW_URI": uri,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.77",
        "HTTP_USER_AGENT": "Mozilla/5.0 (Distinctive Phone 7; rv:128.0) Firefox/128.0",
        "HTTP_REFERER": "https://mail.example.net/inbox/42",
    }
    request = type("Request", (), {"headers": [("USER-AGENT", environ["HTTP_USER_AGENT"])]})()
    logger.access(_Sent(), request, environ, timedelta(milliseconds=35))


def test_the_access_log_holds_no_browser_and_no_respondent_page():
    """A log reader learns neither who browsed (address, browser, where from) nor when anyone answered."""
    logger = _gunicorn_logger()
    stream = io.StringIO()
    try:
        for handler in logging.getLogger("gunicorn.access").handlers:
            handler.setStream(stream)
        cycle = f"/o/riverside/cycles/{uuid.uuid4()}/"
        for method, uri in [
            ("GET", "/healthz"),
            ("GET", cycle),
            ("GET", cycle + "respond/"),
            ("POST", cycle + "respond/start/"),
            ("POST", cycle + "respond/?page=3"),
            ("POST", "/r/Zx9_Qw8-Er7Ty6Ui5Op4As3Df2Gh1Jk0/"),
            ("GET", "/r/continue/?page=2"),
            ("POST", "/r/continue/"),
            ("GET", "/r/thanks/"),
            ("GET", "/r/"),
        ]:
            _access(logger, method, uri)
    finally:
        logging.config.dictConfig(settings.LOGGING)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2 and "GET /healthz" in lines[0] and f"GET {cycle}" in lines[1], lines
    for line in lines:
        for trace in ("Mozilla", "Distinctive", "mail.example.net", "203.0.113.77"):
            assert trace not in line


def test_answering_logs_nothing(client, staff, lead, organization, staff_cycle, questionnaire):
    """Starting and answering, through a link or as a member, leaves no log line with its time."""
    token = invite(staff_cycle, lead.user, ["quiet.person@example.org"])[0]
    login(client, staff.user)
    member_url = reverse("assessment:respond", args=[organization.slug, staff_cycle.id])
    with site_logs(level="INFO") as stream:
        browser = Client()
        browser.get(reverse("assessment:link_landing", args=[token]))
        browser.post(reverse("assessment:link_landing", args=[token]))
        for url, who in [(reverse("assessment:link_continue"), browser), (member_url, client)]:
            if who is client:
                who.get(url)
                who.post(reverse("assessment:respond_start", args=[organization.slug, staff_cycle.id]))
            pages = questionnaire_pages(questionnaire)
            for number, page in enumerate(pages, start=1):
                answers = {f"answer-{item.key}": str(min(3, item.max_value)) for item in page.items}
                who.post(url, {"page": number, "action": "next", **answers})
            who.post(url, {"page": len(pages) + 1, "action": "submit", "role_group": "frontline"})
        browser.get(reverse("assessment:link_thanks"))
    assert PendingResponse.objects.filter(cycle=staff_cycle).count() == 2
    assert stream.getvalue() == ""
