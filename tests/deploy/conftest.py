"""The deploy test and the checks of deploy/: a real installation, as the README's Deploy section
makes one. They run with ALLY_DEPLOY_TEST=1 (.ci/run does, after the suite); without it they are
skipped. With it, a missing tool (nginx, openssl, Chromium, Redis, PostgreSQL) skips them on a
developer machine and fails them in CI."""

import os
import shutil

import pytest


def pytest_collection_modifyitems(items):
    if os.environ.get("ALLY_DEPLOY_TEST"):
        return
    skip = pytest.mark.skip(reason="the deploy test runs with ALLY_DEPLOY_TEST=1 (.ci/run sets it)")
    for item in items:
        if "tests/deploy/" in str(item.fspath):
            item.add_marker(skip)


def missing(message: str) -> None:
    """Fail in CI, skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def nginx() -> str:
    path = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if path is None:
        missing("nginx is missing: apt-get install -y nginx")
    return path


@pytest.fixture(scope="session")
def openssl() -> str:
    path = shutil.which("openssl")
    if path is None:
        missing("openssl is missing: apt-get install -y openssl")
    return path
