"""Logging that never carries a respondent's token: a filter for every handler, and JSON lines.

Single-use links (``/r/<token>/``) and invitation links (``/invite/<token>/``) are keys; a log
line with one, next to a time, would tie a respondent to the moment they answered.
"""

import json
import logging
import re

TOKEN_PATHS = re.compile(r"/(r|invite)/(?!continue/|thanks/)[A-Za-z0-9_\-]{8,}/?")


def redact(text: str) -> str:
    """Return the text with link tokens replaced.

    >>> redact('"POST /r/Ab12-Cd34_Ef56Gh78/ HTTP/1.1" 302 0')
    '"POST /r/[token]/ HTTP/1.1" 302 0'
    >>> redact("GET /r/continue/?page=2")
    'GET /r/continue/?page=2'
    """
    return TOKEN_PATHS.sub(lambda match: f"/{match.group(1)}/[token]/", text)


class RedactTokens(logging.Filter):
    """Rewrite a record so that neither its message nor its arguments hold a link token."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if getattr(record, "request", None) is not None:
            record.request = None  # Django attaches the request to some records; never log it whole
        return True


class JSONLines(logging.Formatter):
    """One JSON object per line: time, level, logger and message (and the error, if any)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        if record.exc_info:
            entry["error"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def logging_config(*, level: str, json_lines: bool) -> dict:
    """Return Django's LOGGING: every handler redacts tokens; production writes JSON lines."""
    formatter = {"()": "config.logs.JSONLines"} if json_lines else {"format": "%(levelname)s %(name)s: %(message)s"}
    handler = {"class": "logging.StreamHandler", "formatter": "main", "filters": ["redact_tokens"]}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact_tokens": {"()": "config.logs.RedactTokens"}},
        "formatters": {
            "main": formatter,
            "server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"},
        },
        "handlers": {
            "console": handler,
            "server": {**handler, "formatter": "main" if json_lines else "server"},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False},
            "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "accounts": {"level": "INFO"},
            "assessment": {"level": "INFO"},
            "reports": {"level": "INFO"},
            "coalitions": {"level": "INFO"},
        },
    }
