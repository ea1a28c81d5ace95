"""The two task queues a deployment can run on (`ALLY_TASKS=database` or `rq`), driven the same way.

A test takes the ``task_queue`` fixture and runs once on each: on the database queue with
`manage.py db_worker`, and on Redis with `manage.py rqworker` (django-tasks-rq), at
``ALLY_TEST_REDIS_URL`` (``redis://127.0.0.1:6379/15`` by default, one database below it for each
parallel worker; the test empties that database). Without Redis the RQ run is skipped on a
developer machine and fails in CI.
"""

import json
import os
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone


def _redis_url() -> str:
    """Return the Redis database the tests may empty: each parallel worker of ``pytest -n``
    (pytest-xdist's ``gw0``, ``gw1``…) takes its own, counting down from the one configured."""
    url = os.environ.get("ALLY_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return url
    base, _, database = url.rpartition("/")
    return f"{base}/{int(database) - int(worker.removeprefix('gw'))}"


REDIS_URL = _redis_url()


class DatabaseQueue:
    name = "database"

    def work(self) -> None:
        """Run every task that is ready, as `manage.py db_worker` does, and return when none is."""
        call_command("db_worker", "--batch", "--interval", "0", verbosity=0)

    def make_retries_due(self) -> None:
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())

    def stored(self) -> list[str]:
        """Return what the queue holds of each task, as text."""
        from django_tasks_db.models import DBTaskResult

        return [json.dumps(row.args_kwargs) + json.dumps(row.return_value) for row in DBTaskResult.objects.all()]


class RedisQueue:
    name = "rq"

    def __init__(self, connection) -> None:
        self.connection = connection

    def work(self) -> None:
        """Run every task that is ready, as `manage.py rqworker` does, and return when none is.

        The simple worker runs tasks in this process (the deployed one forks a process per task),
        so that the test's outbox receives their emails.
        """
        call_command(
            "rqworker",
            "--burst",
            "--with-scheduler",
            "--job-class",
            "django_tasks_rq.Job",
            "--worker-class",
            "rq.worker.SimpleWorker",
            verbosity=0,
        )

    def make_retries_due(self) -> None:
        import django_rq
        from rq.job import Job

        registry = django_rq.get_queue("default").scheduled_job_registry
        for job_id in registry.get_job_ids():
            job = Job.fetch(job_id, connection=self.connection)
            registry.schedule(job, timezone.now() - timedelta(seconds=1))

    def stored(self) -> list[str]:
        """Return what Redis holds of each task (arguments, metadata, results), as text."""
        from rq.job import Job

        held = []
        for key in self.connection.scan_iter("rq:job:*"):
            job = Job.fetch(key.decode().removeprefix("rq:job:"), connection=self.connection)
            results = [repr(result.return_value) for result in job.results()]
            held.append(json.dumps([job.args, job.kwargs, job.meta, results], default=str))
        return held


@pytest.fixture(params=["database", "rq"])
def task_queue(request, settings):
    """Each queue a deployment can use, empty; tests that take it need ``transaction=True``."""
    if request.param == "database":
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
        settings.TASKS_BACKEND = "database"
        yield DatabaseQueue()
        return
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        message = f"Redis is not reachable at {REDIS_URL}: apt-get install -y redis-server"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    connection.flushdb()
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    settings.TASKS_BACKEND = "rq"
    yield RedisQueue(connection)
    connection.flushdb()
