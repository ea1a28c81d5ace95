"""What an operator does with deploy/, done in a folder of the test's own: the environment file
filled in from its template, the systemd units' commands and the nginx site with this machine's
paths and free ports in place of /srv/ally, /etc/ally and the standard ports."""

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Places:
    """Where this test's installation lives, in place of the paths and ports deploy/ names."""

    folder: Path
    env_file: Path
    certificate: Path
    key: Path
    app_port: int = 8000
    https_port: int = 443
    http_port: int = 80
    host: str = "ally.example.org"  # the template's host name
    site_host: str = "localhost"  # the one this test serves


def self_signed_certificate(openssl: str, folder: Path, host: str) -> tuple[Path, Path]:
    """Make a certificate for ``host`` and 127.0.0.1, valid for a day; return it and its key."""
    folder.mkdir(parents=True, exist_ok=True)
    certificate, key = folder / "certificate.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(certificate), "-subj", f"/CN={host}",
            "-addext", f"subjectAltName=DNS:{host},IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return certificate, key


def env_file_from_template(values: dict[str, str]) -> str:
    """Return deploy/ally.env.example with ``values`` filled in: a line of the template is replaced,
    a commented-out one is enabled, anything else is added at the end."""
    lines, done = [], set()
    for line in (DEPLOY / "ally.env.example").read_text().splitlines():
        name = line.removeprefix("# ").split("=", 1)[0] if "=" in line else ""
        if name in values and (not line.startswith("#") or line.startswith(f"# {name}=")):
            lines.append(f"{name}={values[name]}")
            done.add(name)
        else:
            lines.append(line)
    lines += [f"{name}={value}" for name, value in values.items() if name not in done]
    return "\n".join(lines) + "\n"


def read_env_file(path: Path) -> dict[str, str]:
    """Read an environment file as systemd's EnvironmentFile= does (for the values it allows)."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, value = line.split("=", 1)
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        values[name.strip()] = value
    return values


def localize(text: str, places: Places) -> str:
    """Put this test's paths and ports in place of those deploy/ names."""
    python = BIN / "python"
    replacements = [
        ("/srv/ally/.venv/bin/python", str(python if python.exists() else sys.executable)),
        ("/srv/ally/.venv/bin/", f"{BIN}/"),
        ("/srv/ally", str(ROOT)),
        ("/etc/ally/ally.env", str(places.env_file)),
        ("127.0.0.1:8000", f"127.0.0.1:{places.app_port}"),
        (f"/etc/letsencrypt/live/{places.host}/fullchain.pem", str(places.certificate)),
        (f"/etc/letsencrypt/live/{places.host}/privkey.pem", str(places.key)),
        ("/var/log/nginx/", f"{places.folder}/"),
        ("listen 443 ssl;", f"listen 127.0.0.1:{places.https_port} ssl;"),
        ("listen 80;", f"listen 127.0.0.1:{places.http_port};"),
    ]
    for old, new in replacements:
        text = text.replace(old, new)
    # The test listens on loopback only, with no IPv6 socket.
    return "\n".join(line for line in text.splitlines() if "listen [::]" not in line) + "\n"


def unit_command(name: str, places: Places) -> tuple[list[str], Path]:
    """Return a systemd unit's ExecStart command, split as systemd splits it, and its working directory."""
    text = localize((DEPLOY / "systemd" / name).read_text(), places)
    fields = dict(
        line.split("=", 1) for line in text.splitlines() if line.startswith(("ExecStart=", "WorkingDirectory="))
    )
    return fields["ExecStart"].split(), Path(fields["WorkingDirectory"])


def nginx_config(places: Places) -> Path:
    """Write an nginx configuration that serves the site file deploy/nginx/ally.conf, localized."""
    site = places.folder / "ally.conf"
    text = localize((DEPLOY / "nginx" / "ally.conf").read_text(), places)
    site.write_text(text.replace(places.host, places.site_host))
    main = places.folder / "nginx.conf"
    main.write_text(
        f"""
pid {places.folder}/nginx.pid;
error_log {places.folder}/nginx-error.log;
worker_processes 1;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    # Responses are buffered in memory: nginx's workers may not write into the test's folder.
    proxy_max_temp_file_size 0;
    client_body_buffer_size 1m;
    client_body_temp_path {places.folder}/client_body;
    proxy_temp_path {places.folder}/proxy;
    fastcgi_temp_path {places.folder}/fastcgi;
    uwsgi_temp_path {places.folder}/uwsgi;
    scgi_temp_path {places.folder}/scgi;
    include {site};
}}
"""
    )
    return main
