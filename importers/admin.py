"""Import runs in the admin, with an upload page that runs the importer in the background."""

from __future__ import annotations

from django.contrib import admin
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from importers import uploads
from importers.models import ImportRun


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = (
        "started_at",
        "layer",
        "file_name",
        "status",
        "user",
        "created",
        "updated",
        "unchanged",
        "rejected",
    )
    list_filter = ("status", "layer")
    search_fields = ("file_name", "file_sha256")
    readonly_fields = [f.name for f in ImportRun._meta.fields]
    change_list_template = "admin/importers/importrun/change_list.html"

    def has_add_permission(self, request) -> bool:
        return False

    def get_urls(self):
        own = [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="importers_upload"),
            path(
                "<int:pk>/progress/",
                self.admin_site.admin_view(self.progress_view),
                name="importers_progress",
            ),
            path(
                "<int:pk>/progress.json",
                self.admin_site.admin_view(self.progress_json),
                name="importers_progress_json",
            ),
        ]
        return own + super().get_urls()

    def _can_upload(self, request) -> bool:
        return request.user.is_superuser or request.user.has_perm("importers.add_importrun")

    def upload_view(self, request):
        if not self._can_upload(request):
            return TemplateResponse(request, "admin/importers/importrun/forbidden.html", status=403)
        form = uploads.UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            run = uploads.start(form=form, user=request.user)
            return redirect(reverse("admin:importers_progress", args=[run.pk]))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": _("Import a file"),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/importers/importrun/upload.html", context)

    def progress_view(self, request, pk: int):
        run = get_object_or_404(ImportRun, pk=pk)
        context = {
            **self.admin_site.each_context(request),
            "run": run,
            "title": _("Import progress"),
            "opts": self.model._meta,
            "status_url": reverse("admin:importers_progress_json", args=[pk]),
        }
        return TemplateResponse(request, "admin/importers/importrun/progress.html", context)

    def progress_json(self, request, pk: int):
        run = get_object_or_404(ImportRun, pk=pk)
        return JsonResponse(uploads.status(run))
