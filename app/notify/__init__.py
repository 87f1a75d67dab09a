"""Outgoing notifications of applies, drift and long-held locks: queued by the flows, sent by
the worker, never from the request path.

The flows call the hooks (``apply_ended``, ``drift_found``, ``drift_healed``) inside their own
transaction and the worker's sweep calls ``overdue_locks``; the dispatcher hands ``notify``
jobs to ``send``. Nothing else of this package is used outside it.
"""

from app.notify.hooks import apply_ended, drift_found, drift_healed, overdue_locks
from app.notify.queueing import NOTIFY
from app.notify.sending import DeliveryFailed, send

__all__ = [
    "NOTIFY",
    "DeliveryFailed",
    "apply_ended",
    "drift_found",
    "drift_healed",
    "overdue_locks",
    "send",
]
