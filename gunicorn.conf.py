"""gunicorn reads this file from the working directory: its logs go through the same
token-redacting handlers as Django's (see config/logs.py), and its access log leaves out client
addresses, browsers and every respondent page (see config/access_log.py)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402

from config.access_log import ACCESS_LOG_FORMAT  # noqa: E402

logconfig_dict = settings.LOGGING
accesslog = "-"
access_log_format = ACCESS_LOG_FORMAT
logger_class = "config.access_log.AccessLogger"
