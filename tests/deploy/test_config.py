"""deploy/ is valid as shipped: nginx accepts the site with a certificate in place, systemd
accepts the units, and the environment file template names every setting a deployment needs."""

import shutil
import subprocess

import pytest

from tests.deploy.installation import DEPLOY, Places, env_file_from_template, nginx_config, self_signed_certificate

UNITS = sorted(path.name for path in (DEPLOY / "systemd").iterdir())


def _places(tmp_path, openssl) -> Places:
    certificate, key = self_signed_certificate(openssl, tmp_path, "localhost")
    env_file = tmp_path / "ally.env"
    env_file.write_text(env_file_from_template({}))
    return Places(folder=tmp_path, env_file=env_file, certificate=certificate, key=key, https_port=8443, http_port=8080)


def test_nginx_accepts_the_site(nginx, openssl, tmp_path):
    config = nginx_config(_places(tmp_path, openssl))
    result = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(config)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "[warn]" not in result.stderr, result.stderr


def test_systemd_accepts_the_units(openssl, tmp_path):
    from tests.deploy.installation import localize

    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        print("systemd-analyze is not on this machine: the systemd units are not checked")
        pytest.skip("systemd-analyze is missing")
    places = _places(tmp_path, openssl)
    for name in UNITS:
        (tmp_path / name).write_text(localize((DEPLOY / "systemd" / name).read_text(), places))
    result = subprocess.run(
        [analyze, "verify", *[str(tmp_path / name) for name in UNITS]], capture_output=True, text=True, cwd=tmp_path
    )
    # systemd-analyze exits 0 on unknown keys and bad values, but names them.
    assert result.returncode == 0 and not result.stderr.strip() and not result.stdout.strip(), result.stderr


def test_units_cover_the_web_server_the_worker_and_both_timers():
    assert UNITS == [
        "ally-prune.service",
        "ally-prune.timer",
        "ally-schedule.service",
        "ally-schedule.timer",
        "ally-web.service",
        "ally-worker.service",
    ]
    text = {name: (DEPLOY / "systemd" / name).read_text() for name in UNITS}
    assert "manage.py run_schedule" in text["ally-schedule.service"]
    assert "OnCalendar=*:0/5" in text["ally-schedule.timer"]
    assert "manage.py prune" in text["ally-prune.service"] and "OnCalendar=daily" in text["ally-prune.timer"]
    assert "--with-scheduler" in text["ally-worker.service"]  # the retries of failed emails are deferred


def test_the_site_sends_the_headers_the_settings_trust():
    site = (DEPLOY / "nginx" / "ally.conf").read_text()
    env = (DEPLOY / "ally.env.example").read_text()
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in site
    assert "\nDJANGO_BEHIND_PROXY=true\n" in env
    assert "$remote_addr" not in site and "$request_uri" not in site.split("log_format", 1)[1].split(";", 1)[0]
