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
        parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args, scale, db, json_path, runs, inner, **options):
        if not inner:
            return self._outer(scale, db, json_path, runs)
        from home import bench

        started = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        handles = bench.build(scale, lambda text: self.stderr.write(text))
        built = time.perf_counter() - started
        self.stderr.write(f"built in {built:.1f} s; measuring {runs} rounds")
        results = bench.measure(handles, runs, lambda text: self.stderr.write(text))
        self.stdout.write(json.dumps({"scale": scale, "build_seconds": round(built, 1), "results": results}))

    def _outer(self, scale, db, json_path, runs):
        folder = None
        if not db:
            folder = tempfile.mkdtemp(prefix="ally-bench-")
            db = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        env = {**os.environ, "DATABASE_URL": db, "ALLY_TASKS": "immediate"}
        command = [sys.executable, "manage.py", "bench", "--inner", "--scale", scale, "--runs", str(runs)]
        process = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True, check=False)
        if process.returncode:
            raise CommandError("The benchmark failed; its messages are above.")
        output = process.stdout.strip().splitlines()[-1]
        if json_path:
            Path(json_path).write_text(output + "\n")
        self.stdout.write(json.dumps(json.loads(output), indent=1))
