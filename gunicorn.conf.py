"""gunicorn reads this file from the working directory: its logs go through the same
token-redacting handlers as Django's (see config/logs.py)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402

logconfig_dict = settings.LOGGING
accesslog = "-"
