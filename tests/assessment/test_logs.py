"""No log line holds a respondent's link token, an invited address or an answer."""

import io
import logging
import logging.config
from contextlib import contextmanager

from django.conf import settings
from django.test import Client
from django.urls import reverse

from config.logs import logging_config
from tests.conftest import full_answers, invite


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
