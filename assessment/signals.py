"""What the assessment app announces to the apps above it, which it never imports."""

from django.dispatch import Signal

# Sent once a cycle's close is committed, with ``cycle_id``, ``organization_id`` and the ``year``
# it closed in: its results will never change, and the reports of the audits around it (that
# year's, and later ones of its kind) change once.
cycle_closed = Signal()
# Sent once the deletion of a closed cycle is committed, with ``organization_id`` and ``year``:
# the reports of the audits around it change.
cycle_deleted = Signal()
