"""Background work of the coalitions app: computing and publishing a year's figures."""

import logging

from django.core.exceptions import ValidationError
from django_tasks import task

from accounts.models import User
from coalitions.models import Coalition
from coalitions.services import snapshot_publish

logger = logging.getLogger(__name__)


@task()
def publish_snapshot(coalition_id: str, period: int, by_id: str | None) -> bool:
    """Publish a coalition's figures for a year; a second publication of the year does nothing."""
    coalition = Coalition.objects.filter(pk=coalition_id).first()
    if coalition is None:
        return False
    try:
        snapshot_publish(coalition=coalition, period=period, by=User.objects.filter(pk=by_id).first())
    except ValidationError:
        logger.info("Figures for coalition %s, %s were published already", coalition_id, period)
        return False
    return True
