"""Operator views on data: monitoring, exports, imports."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from barometre.collection.exports import answers_frame, frame_bytes
from barometre.collection.imports import import_answers, out_of_frame_responses, parse_mapping
from barometre.collection.models import Campaign, audit
from barometre.collection.monitoring import (
    STRATA,
    TARGET_STATES,
    daily_curve,
    response_rates,
    state_counts,
    status_counts,
    stratum_rows,
)
from barometre.collection.operator.access import require
from barometre.collection.operator.curve_chart import curve_chart
from barometre.collection.operator.forms import ImportForm
from barometre.imports.columns import parse_confirmations
from barometre.register.labels import STRATUM_TITLES

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
}


@require("view")
def monitoring(request: HttpRequest, pk: int) -> HttpResponse:
    """Where the targets stand, the daily curve with its waves, and response rates by stratum."""
    campaign = get_object_or_404(Campaign.objects.select_related("edition"), pk=pk)
    stratum = request.GET.get("strate", "kind_size")
    if stratum not in STRATA:
        stratum = "kind_size"
    counts = status_counts(campaign, request.account, STRATA[stratum][0])
    curve = daily_curve(campaign, request.account)
    states = state_counts(counts)
    return render(
        request,
        "collection/operator/monitoring.html",
        {
            "campaign": campaign,
            "overall": response_rates(counts).row(0, named=True),
            "states": [(key, label, states[key]) for key, label in TARGET_STATES.items()],
            "rows": stratum_rows(counts, stratum),
            "stratum": stratum,
            "strata": [(key, label) for key, (_, label) in STRATA.items()],
            "stratum_columns": [STRATUM_TITLES[c] for c in STRATA[stratum][0]],
            "stratum_label": STRATA[stratum][1],
            "curve": curve,
            "curve_days": list(curve.days.iter_rows(named=True)),
            "chart": curve_chart(curve),
            "section": "monitoring",
        },
    )


@require("export")
def export(request: HttpRequest, pk: int) -> HttpResponse:
    """Download the answers (CSV wide, XLSX or Parquet) in the edition format."""
    campaign = get_object_or_404(Campaign.objects.select_related("edition"), pk=pk)
    fmt = request.GET.get("format", "csv")
    if fmt not in CONTENT_TYPES:
        fmt = "csv"
    frame = answers_frame(campaign, request.account)
    audit("export", actor=request.user, obj=campaign, format=fmt, rows=frame.height)
    response = HttpResponse(frame_bytes(frame, fmt), content_type=CONTENT_TYPES[fmt])
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"responses-{campaign.edition.slug}-{stamp}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require("import")
def import_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Import answers from LimeSurvey, KoboToolbox/ODK or a mapped CSV/XLSX; show the report."""
    campaign = get_object_or_404(Campaign.objects.select_related("edition"), pk=pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            mapping = parse_mapping(data["mapping"]) if data["mapping"] else None
            confirmations = parse_confirmations(data["confirmations"] or "")
        except ValueError as exc:
            field = "confirmations" if str(exc).startswith("Confirmations") else "mapping"
            form.add_error(field, str(exc))
        else:
            if data["source"] == "mapped" and not mapping:
                form.add_error("mapping", "Indiquez la correspondance des colonnes.")
            else:
                upload = data["file"]
                report = import_answers(
                    campaign,
                    upload.read(),
                    upload.name,
                    data["source"],
                    mapping=mapping,
                    code_column=data["code_column"],
                    name_column=data["name_column"],
                    encoding=data["encoding"] or "auto",
                    on_existing=data["on_existing"] or "refuse",
                    out_of_frame=data["out_of_frame"],
                    confirmations=confirmations,
                    account=request.account,
                    actor=request.user,
                )
    return render(
        request,
        "collection/operator/import.html",
        {
            "campaign": campaign,
            "form": form,
            "report": report,
            "section": "import",
            "out_of_frame": out_of_frame_responses(campaign, request.account),
        },
    )
