"""Background work of the coalitions app: computing and publishing a year's figures."""

from django_tasks import task

from coalitions.services import snapshot_publish_requested


@task()
def publish_snapshot(coalition_id: str, period: int, by_id: str | None = None) -> str:
    """Publish a year's figures a steward asked for (``snapshot_publish_request``); return a short outcome code.

    Given the coalition's id and the year only: who asked is on the request row, so the task table
    names nobody. A second publication of a year does nothing. ``by_id`` is never passed any more:
    it lets a task queued by an earlier release, which named the steward, run and do nothing.
    """
    return snapshot_publish_requested(coalition_id=coalition_id, period=period)
