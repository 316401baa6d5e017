"""Staff uploads in the admin: the same import as ``import_layer``, run in a background
thread with its progress in the shared cache, so any web worker can report it."""

from __future__ import annotations

import logging
import threading
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils.translation import gettext_lazy as _

from importers.models import ImportRun
from importers.services import ImportOptions, run_import
from layers import registry

logger = logging.getLogger(__name__)


def progress_key(run_id: int) -> str:
    return f"import-progress-{run_id}"


class UploadForm(forms.Form):
    layer = forms.ChoiceField(label=_("Layer"))
    file = forms.FileField(label=_("File (.zip, .shp, .gpkg, .geojson)"))
    encoding = forms.ChoiceField(
        label=_("Text encoding"),
        choices=[
            ("auto", _("Detect")),
            ("utf-8", "UTF-8"),
            ("cp1258", "Windows-1258"),
            ("tcvn3", "TCVN3 (ABC)"),
            ("vni", "VNI-Windows"),
        ],
        initial="auto",
    )
    srid = forms.IntegerField(label=_("EPSG code (when the file has no .prj)"), required=False)
    layer_name = forms.CharField(label=_("Layer inside a GeoPackage"), required=False)
    dry_run = forms.BooleanField(label=_("Check only, write nothing"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["layer"].choices = [
            (spec.key, spec.title_vi) for spec in registry.all_layers() if spec.importer
        ]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("The file is over the size limit."))
        return upload


def save_upload(upload) -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports" / uuid.uuid4().hex
    folder.mkdir(parents=True)
    target = folder / Path(upload.name).name
    with target.open("wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    return target


def start(*, form: UploadForm, user) -> ImportRun:
    data = form.cleaned_data
    path = save_upload(data["file"])
    options = ImportOptions(
        srid=data.get("srid"),
        encoding=data["encoding"],
        dry_run=data["dry_run"],
        layer_name=data.get("layer_name") or None,
    )
    run = ImportRun.objects.create(layer=data["layer"], file_name=path.name, user=user)
    cache.set(progress_key(run.pk), (0, 0), 24 * 3600)
    thread = threading.Thread(
        target=_work, args=(run, path, options, user), name=f"import-{run.pk}", daemon=True
    )
    thread.start()
    return run


def _work(run: ImportRun, path: Path, options: ImportOptions, user) -> None:
    try:
        run_import(
            layer=run.layer,
            path=path,
            options=options,
            user=user,
            run=run,
            progress=lambda done, total: cache.set(progress_key(run.pk), (done, total), 24 * 3600),
        )
    except Exception:
        logger.exception("background import %s crashed", run.pk)
        ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.FAILED)
    finally:
        connection.close()


def status(run: ImportRun) -> dict[str, object]:
    done, total = cache.get(progress_key(run.pk)) or (run.progress_done, run.progress_total)
    return {
        "status": run.status,
        "status_display": str(run.get_status_display()),
        "done": done,
        "total": total or run.progress_total,
        "report": run.report,
    }
