"""Pages and the front end."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebmapConfig(AppConfig):
    name = "webmap"
    verbose_name = _("Web map")

    def ready(self) -> None:
        # ``/api/planning-report/?…&format=pdf``: the certificate renders here, above the
        # tiles it draws its map with; planning only knows a renderer was registered.
        from planning.renderers import register_report_renderer

        register_report_renderer("webmap.certificate.CertificateRenderer")
