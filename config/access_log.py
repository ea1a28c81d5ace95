"""gunicorn's access log, kept to what an operator needs: when, which page, the outcome.

No client address, browser or referring page is written, and respondent pages (the link pages
under ``/r/`` and a member's survey pages) are not logged at all: a line there, with its time,
would say when someone started or answered, and the address beside it who it was.
"""

from django.urls import Resolver404, resolve
from gunicorn.glogging import Logger

ACCESS_LOG_FORMAT = '%(t)s "%(m)s %(U)s" %(s)s %(b)s'
RESPONDENT_VIEWS = frozenset({"assessment:respond", "assessment:respond_start"})


def is_respondent_page(path: str) -> bool:
    """Return whether a request path is one a respondent starts or answers a survey on."""
    if path.startswith("/r/"):
        return True
    try:
        return resolve(path).view_name in RESPONDENT_VIEWS
    except Resolver404:
        return False


class AccessLogger(Logger):
    """gunicorn's logger, silent about respondent pages."""

    def access(self, resp, req, environ, request_time):
        if not is_respondent_page(environ.get("PATH_INFO", "")):
            super().access(resp, req, environ, request_time)
