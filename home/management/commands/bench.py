import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Build a synthetic dataset (S 10, M 200, L 1,000 organizations, each with three closed yearly "
        "staff surveys of 20 responses, a leadership checklist, actions and one coalition of all) in its "
        "own database, then measure pages and actions in-process and print JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["S", "M", "L"], default="S")
        parser.add_argument("--db", default="", help="A database URL to build in (default: a new SQLite file).")
        parser.add_argument("--json", dest="json_path", default="", help="Also write the results to this file.")
        parser.add_argument("--runs", type=int, default=30, help="Measured rounds (interleaved), 30 by default.")
        parser.add_argument(
            "--load",
            type=float,
            default=0,
            metavar="SECONDS",
            help="Then serve the dataset with gunicorn (2 workers, 127.0.0.1) and load the trivial and report "
            "pages from 4 clients for this many seconds each.",
        )
        parser.add_argument(
            "--browser",
            action="store_true",
            help="Then serve the dataset with gunicorn and open the report, the dashboard and a survey page "
            "in Chromium (/usr/bin/chromium, Playwright from requirements-dev.txt) at phone size with the CPU "
            "slowed 4x: first contentful paint, the time the last chart is drawn, bytes transferred.",
        )
        parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args, scale, db, json_path, runs, load, browser, inner, **options):
        if not inner:
            return self._outer(scale, db, json_path, runs, load, browser)
        from home import bench

        started = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        handles = bench.build(scale, lambda text: self.stderr.write(text))
        built = time.perf_counter() - started
        self.stderr.write(f"built in {built:.1f} s; measuring {runs} rounds")
        results = bench.measure(handles, runs, lambda text: self.stderr.write(text))
        output = {"scale": scale, "build_seconds": round(built, 1), "results": results, "targets": handles["load"]}
        self.stdout.write(json.dumps(output))

    def _outer(self, scale, db, json_path, runs, load, browser):
        folder = None
        if not db:
            folder = tempfile.mkdtemp(prefix="ally-bench-")
            db = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        env = {**os.environ, "DATABASE_URL": db, "ALLY_TASKS": "immediate"}
        command = [sys.executable, "manage.py", "bench", "--inner", "--scale", scale, "--runs", str(runs)]
        process = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True, check=False)
        if process.returncode:
            raise CommandError("The benchmark failed; its messages are above.")
        output = json.loads(process.stdout.strip().splitlines()[-1])
        targets = output.pop("targets")
        if load:
            output["load"] = self._load(env, targets, load)
        if browser:
            output["browser"] = self._browser(env, targets)
        if json_path:
            Path(json_path).write_text(json.dumps(output) + "\n")
        self.stdout.write(json.dumps(output, indent=1))

    def _browser(self, env, targets) -> dict:
        from home import browser, load

        port = load.free_port()
        server = load.serve(env, port)
        try:
            self.stderr.write("opening the report, the dashboard and a survey page in Chromium")
            pages = {name: targets[name] for name in ("report", "dashboard", "survey") if targets.get(name)}
            figures = browser.page_timings(f"http://127.0.0.1:{port}", pages, targets["cookie"])
            return {"cpu_slowdown": browser.CPU_SLOWDOWN, "viewport": browser.PHONE, "pages": figures}
        finally:
            server.terminate()
            server.wait(timeout=30)

    def _load(self, env, targets, seconds) -> dict:
        from home import load

        port = load.free_port()
        server = load.serve(env, port)
        try:
            figures = {"workers": load.WORKERS, "clients": load.CLIENTS, "seconds": seconds}
            for name in ("floor", "report"):
                self.stderr.write(f"loading the {name} page for {seconds:g} s")
                load.pages_per_second(port, targets[name], targets["cookie"], 1)  # warm every worker
                figures[name] = load.pages_per_second(port, targets[name], targets["cookie"], seconds)
            return figures
        finally:
            server.terminate()
            server.wait(timeout=30)
