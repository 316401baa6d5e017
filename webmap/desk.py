"""The permit officer's desk: the queue by due date, registering an application on a parcel,
the permit page (map, footprint, check, decision) and the permit or refusal as PDF.

Permit officers and superusers only: anonymous visitors go to the sign-in page, everyone
else gets 403. The page's actions go through ``/api/permits/`` (planning.permits_api).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from layers.models import AdminUnit, ConstructionPermit
from planning import permits
from planning.compliance import check_permit
from planning.permits_api import find_parcel, is_permit_officer

Permit = ConstructionPermit


def officer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_permit_officer(request.user):
            raise PermissionDenied(_("Only permit officers use the permit desk."))
        return view(request, *args, **kwargs)

    return wrapper


RULE_LABELS = {
    "land_use": gettext_lazy("Land use allowed by the zone"),
    "coverage": gettext_lazy("Building coverage"),
    "floors": gettext_lazy("Floors"),
    "height": gettext_lazy("Height"),
    "far": gettext_lazy("Land-use coefficient (FAR)"),
    "footprint_in_parcel": gettext_lazy("Footprint inside the parcel"),
    "building_line": gettext_lazy("Behind the building line"),
    "no_build_zone": gettext_lazy("Outside no-build zones"),
    "planned_road": gettext_lazy("Outside planned road land"),
}


@officer_required
def queue(request: HttpRequest) -> HttpResponse:
    today = permits.today()
    rows = [
        {"permit": permit, "overdue": permits.is_overdue(permit, today)}
        for permit in permits.queue()
    ]
    return render(request, "webmap/desk/queue.html", {"rows": rows, "today": today})


def _communes() -> list[tuple[str, str]]:
    units = AdminUnit.objects.filter(
        level__in=("commune", "ward", "township", "special_zone"), parcels__isnull=False
    ).distinct()
    return [(unit.code, f"{unit.name} ({unit.code})") for unit in units.order_by("name")]


class RegisterForm(forms.Form):
    commune = forms.ChoiceField(label=gettext_lazy("Commune"))
    sheet = forms.IntegerField(label=gettext_lazy("Map sheet"), min_value=1)
    number = forms.IntegerField(label=gettext_lazy("Parcel number"), min_value=1)
    kind = forms.ChoiceField(label=gettext_lazy("Kind of permit"), choices=Permit.Kind.choices)
    works_type = forms.ChoiceField(
        label=gettext_lazy("Type of works"), choices=Permit.WorksType.choices
    )
    works_name = forms.CharField(label=gettext_lazy("Works name"), max_length=255)
    intended_use = forms.CharField(
        label=gettext_lazy("Intended use (land-use code)"), max_length=8, initial="ODT"
    )
    floors = forms.IntegerField(label=gettext_lazy("Floors above ground"), min_value=1)
    basements = forms.IntegerField(label=gettext_lazy("Basements"), min_value=0, initial=0)
    height_m = forms.DecimalField(
        label=gettext_lazy("Height (m)"), max_digits=6, decimal_places=2, min_value=0.01
    )
    gross_floor_area_m2 = forms.DecimalField(
        label=gettext_lazy("Gross floor area (m²)"),
        max_digits=12,
        decimal_places=1,
        min_value=0,
        required=False,
    )
    received_on = forms.DateField(
        label=gettext_lazy("Received on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    applicant_name = forms.CharField(label=gettext_lazy("Applicant name"), max_length=255)
    applicant_id_number = forms.CharField(
        label=gettext_lazy("Applicant ID card number"), max_length=20, required=False
    )
    applicant_address = forms.CharField(
        label=gettext_lazy("Applicant address"), max_length=255, required=False
    )
    applicant_phone = forms.CharField(
        label=gettext_lazy("Applicant phone"), max_length=20, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = _communes()
        self.fields["received_on"].initial = permits.today()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if {"commune", "sheet", "number"} <= set(data):
            parcel = find_parcel(
                commune=data["commune"], sheet=data["sheet"], number=data["number"]
            )
            if parcel is None:
                raise forms.ValidationError(_("No such parcel in this commune."))
            data["parcel"] = parcel
        return data


@officer_required
def register(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        permit = permits.register_permit(
            fields={
                "kind": data["kind"],
                "works_type": data["works_type"],
                "works_name": data["works_name"],
                "intended_use": data["intended_use"].strip().upper(),
                "floors": data["floors"],
                "basements": data["basements"] or 0,
                "height_m": data["height_m"],
                "gross_floor_area_m2": data["gross_floor_area_m2"],
                "received_on": data["received_on"],
            },
            parcels=[data["parcel"]],
            applicant={
                "name": data["applicant_name"],
                "id_number": data["applicant_id_number"],
                "address": data["applicant_address"],
                "phone": data["applicant_phone"],
            },
        )
        return redirect("desk-permit", pk=permit.pk)
    groups = [
        (_("Parcel"), ("commune", "sheet", "number")),
        (
            _("Works"),
            (
                "kind",
                "works_type",
                "works_name",
                "intended_use",
                "floors",
                "basements",
                "height_m",
                "gross_floor_area_m2",
                "received_on",
            ),
        ),
        (
            _("Applicant (private)"),
            ("applicant_name", "applicant_id_number", "applicant_address", "applicant_phone"),
        ),
    ]
    fieldsets = [(legend, [form[name] for name in names]) for legend, names in groups]
    return render(request, "webmap/desk/register.html", {"form": form, "fieldsets": fieldsets})


def _labels() -> dict[str, str]:
    return {
        "rules": {key: str(label) for key, label in RULE_LABELS.items()},
        "passed": _("passed"),
        "failed": _("failed"),
        "skipped": _("not evaluated"),
        "compliant": _("Every rule passes."),
        "not_compliant": _("The application does not comply."),
        "saved": _("Footprint saved."),
        "no_drawing": _("Draw or upload a footprint first."),
        "bad_file": _("The file is not GeoJSON with a polygon."),
        "error": _("The request failed."),
        "parcels": _("Parcels"),
        "footprint": _("Footprint"),
        "zoning": _("Approved zoning"),
        "red_lines": _("Red lines"),
        "constraints": _("Environmental constraints"),
    }


@officer_required
def permit_page(request: HttpRequest, pk: int) -> HttpResponse:
    permit = get_object_or_404(
        Permit.objects.select_related("applicant").prefetch_related("parcels__commune"), pk=pk
    )
    config = {
        "permit": permit.pk,
        "status": permit.status,
        "api": {
            "permit": reverse("permit-detail", args=[permit.pk]),
            "check": reverse("permit-check", args=[permit.pk]),
            "decide": reverse("permit-decide", args=[permit.pk]),
        },
        "layers": permits.permit_map_layers(permit=permit),
        "labels": _labels(),
    }
    context = {
        "permit": permit,
        "applicant": getattr(permit, "applicant", None),
        "overdue": permits.is_overdue(permit),
        "config": config,
        "printable": permit.status in (Permit.Status.ISSUED, Permit.Status.REJECTED),
        "decisions": _decisions(permit),
    }
    return render(request, "webmap/desk/permit.html", context)


def _decisions(permit: ConstructionPermit) -> list[tuple[str, str]]:
    if permit.status in permits.DECIDABLE:
        return [
            ("approve", _("Approve")),
            ("reject", _("Refuse")),
            ("return", _("Return for more documents")),
        ]
    if permit.status == Permit.Status.APPROVED:
        return [("issue", _("Issue the permit"))]
    if permit.status == Permit.Status.RETURNED:
        return [("resume", _("Dossier completed: receive again"))]
    return []


def _pdf_css() -> str:
    path = finders.find("webmap/desk-print.css")
    with open(path, encoding="utf-8") as handle:
        return handle.read()


@officer_required
def permit_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The issued permit, or the refusal with its reasons, as PDF (WeasyPrint; the page
    carries its styles inline and fetches nothing)."""
    from weasyprint import HTML

    from webmap.certificate import url_fetcher

    permit = get_object_or_404(
        Permit.objects.select_related("applicant").prefetch_related("parcels__commune"), pk=pk
    )
    if permit.status not in (Permit.Status.ISSUED, Permit.Status.REJECTED):
        return HttpResponse(
            _("Only an issued permit or a refusal can be printed."),
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    issued = permit.status == Permit.Status.ISSUED
    check = check_permit(permit=permit, on=permit.decided_on or permit.issued_on)
    context = {
        "permit": permit,
        "applicant": getattr(permit, "applicant", None),
        "check": check,
        "rules": {rule["rule"]: rule for rule in check["rules"]},
        "failing": [
            (RULE_LABELS.get(rule["rule"], rule["rule"]), rule["message"])
            for rule in check["rules"]
            if not rule["passed"]
        ],
        "issued": issued,
        "valid_until": _months_later(permit.issued_on, 12) if permit.issued_on else None,
        "printed_at": timezone.localtime(),
        "css": _pdf_css(),
    }
    html = render_to_string("webmap/desk/permit_pdf.html", context, request=request)
    pdf = HTML(string=html, url_fetcher=url_fetcher()).write_pdf()
    name = f"permit-{permit.pk}.pdf" if issued else f"refusal-{permit.pk}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def _months_later(day: datetime.date, months: int) -> datetime.date:
    """Start-of-works limit (12 months from issue, Construction Law): same day, months on."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover
