"""The release is written once and the changelog's newest entry is that release."""

import re
from pathlib import Path

from django.conf import settings

import config


def test_the_changelog_opens_with_the_release_in_pyproject():
    changelog = (Path(settings.BASE_DIR) / "CHANGELOG.md").read_text()
    versions = re.findall(r"^## \[(\d+\.\d+\.\d+)\]", changelog, flags=re.MULTILINE)
    assert versions[:2] == [config.__version__, "0.2.0"], versions
    assert re.fullmatch(r"\d+\.\d+\.\d+", config.__version__)
