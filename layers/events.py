"""The one domain event: a public layer changed within an extent (after commit).

Services call ``layer_changed`` from ``transaction.on_commit``; the tiles app listens
(cache invalidation). No model signals carry domain effects.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

Extent = tuple[float, float, float, float]
Listener = Callable[[str, Extent, int], None]
_listeners: list[Listener] = []


def listen(listener: Listener) -> Listener:
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def layer_changed(key: str, extent: Extent, *, srid: int) -> None:
    """Tell every listener that ``key`` changed inside ``extent`` (in ``srid``)."""
    for listener in list(_listeners):
        try:
            listener(key, extent, srid)
        except Exception:  # noqa: BLE001 - one failing listener must not hide the others
            logger.exception("listener %r failed for layer %s", listener, key)
