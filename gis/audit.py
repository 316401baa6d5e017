"""The audit log: a row for every sign-in (success, failure, sign-out) from Django's auth
signals, and for every successful write (POST/PUT/PATCH/DELETE answered 2xx/3xx) from a
middleware: who, when, method, path, status, the view and object id when the URL names
one, the remote address. Never the request body (personal data)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import DatabaseError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from gis.models import AuditEvent
from gis.security import client_ip

logger = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Writes that change no data: switching the page language.
NOT_AUDITED_VIEWS = frozenset({"set_language"})
# URL keyword arguments that name the object a write is about.
OBJECT_KWARGS = ("pk", "id", "object_id", "parcel_id", "plan_id", "permit_id", "zone_id")


def _record(request: HttpRequest | None, **fields: object) -> None:
    if request is not None:
        fields.setdefault("method", request.method or "")
        fields.setdefault("path", request.path[:500])
        fields.setdefault("remote_ip", client_ip(request))
    try:
        AuditEvent.objects.create(**fields)
    except DatabaseError:
        # The log must not turn a successful request into an error page.
        logger.exception("audit event not recorded: %s", fields.get("kind"))


def _username(user: object) -> str:
    return str(getattr(user, "get_username", lambda: "")())[:150]


@receiver(user_logged_in, dispatch_uid="quyhoach-audit-login")
def _logged_in(sender, request, user, **kwargs) -> None:
    if request is not None:
        request._audited = True  # the sign-in POST is not a separate write
    _record(request, kind=AuditEvent.Kind.LOGIN, user=user, username=_username(user))


@receiver(user_logged_out, dispatch_uid="quyhoach-audit-logout")
def _logged_out(sender, request, user, **kwargs) -> None:
    if request is not None:
        request._audited = True
    _record(
        request,
        kind=AuditEvent.Kind.LOGOUT,
        user=user if getattr(user, "pk", None) else None,
        username=_username(user) if user else "",
    )


@receiver(user_login_failed, dispatch_uid="quyhoach-audit-login-failed")
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django has already masked the password in ``credentials``; keep the user name only.
    username = str(credentials.get("username", ""))[:150]
    _record(request, kind=AuditEvent.Kind.LOGIN_FAILED, username=username)


def _object_id(request: HttpRequest) -> str:
    match = request.resolver_match
    if match is None:
        return ""
    for name in OBJECT_KWARGS:
        if name in match.kwargs:
            return str(match.kwargs[name])[:64]
    return ""


def _succeeded(response: HttpResponse) -> bool:
    """2xx/3xx, except an HTML page answered to a form post: following Post/Redirect/Get
    (the admin, sign-in), that is the form shown again with its errors, nothing written."""
    if response.status_code >= 400:
        return False
    html = response.get("Content-Type", "").startswith("text/html")
    return not (response.status_code == 200 and html)


class AuditMiddleware:
    """Records successful writes after the view has answered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.method in WRITE_METHODS
            and _succeeded(response)
            and not getattr(request, "_audited", False)
        ):
            match = request.resolver_match
            view = match.view_name if match else ""
            if view not in NOT_AUDITED_VIEWS:
                user = getattr(request, "user", None)
                authenticated = bool(user and user.is_authenticated)
                _record(
                    request,
                    kind=AuditEvent.Kind.WRITE,
                    user=user if authenticated else None,
                    username=_username(user) if authenticated else "",
                    status=response.status_code,
                    view=view[:200],
                    object_id=_object_id(request),
                )
        return response
