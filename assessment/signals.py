"""What the assessment app announces to the apps above it, which it never imports."""

from django.dispatch import Signal

# Sent once a cycle's close is committed, with ``cycle_id``: its results will never change.
cycle_closed = Signal()
