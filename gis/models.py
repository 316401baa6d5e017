"""Project-wide records: the audit log (sign-ins and every successful write)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """Who did what, when, from where (nhật ký kiểm toán). Never the request body: bodies
    carry personal data (holders, applicants) that must not be copied into a log."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Signed in")
        LOGIN_FAILED = "login_failed", _("Sign-in failed")
        LOGOUT = "logout", _("Signed out")
        WRITE = "write", _("Write")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as text too: the user name tried in a failed sign-in, or of a deleted account.
    username = models.CharField(_("user name"), max_length=150, blank=True)
    method = models.CharField(_("HTTP method"), max_length=10, blank=True)
    path = models.CharField(_("path"), max_length=500, blank=True)
    status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    view = models.CharField(_("view"), max_length=200, blank=True)
    object_id = models.CharField(_("object"), max_length=64, blank=True)
    remote_ip = models.GenericIPAddressField(_("remote address"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "-at"]), models.Index(fields=["kind", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username or '-'} {self.kind} {self.path}"
