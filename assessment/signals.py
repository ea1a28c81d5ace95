"""What the assessment app announces to the apps above it, which it never imports."""

from django.dispatch import Signal

# Sent once a cycle's close is committed, with ``cycle_id`` and ``organization_id``: its results
# will never change, and the reports of the audits around it change once.
cycle_closed = Signal()
# Sent once a cycle's deletion is committed, with ``organization_id``: the reports of the audits
# around it change.
cycle_deleted = Signal()
