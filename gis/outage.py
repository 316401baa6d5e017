"""A lost database answers 503 (try again), never a 500 page: the request that meets a
dropped connection gets ``Retry-After``, and Django's ``CONN_HEALTH_CHECKS`` reconnects the
next one by itself once PostgreSQL is back (tests/faults/test_database_restart.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

RETRY_AFTER_S = 5


class DatabaseOutageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # OperationalError: the server went away or refused us; InterfaceError: the
        # connection object was already closed under us.
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("database unavailable for %s: %s", request.path, exception)
        for connection in connections.all(initialized_only=True):
            connection.close_if_unusable_or_obsolete()
        response = JsonResponse(
            {"detail": _("The service is briefly unavailable. Please try again shortly.")},
            status=503,
        )
        response["Retry-After"] = str(RETRY_AFTER_S)
        return response
