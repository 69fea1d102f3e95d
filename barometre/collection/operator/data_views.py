"""Operator views on data: monitoring, exports, imports."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from barometre.collection.exports import answers_frame, frame_bytes
from barometre.collection.imports import import_answers, parse_mapping
from barometre.collection.models import Campaign, audit
from barometre.collection.monitoring import STRATA, daily_curve, response_rates, targets_status
from barometre.collection.operator.access import require
from barometre.collection.operator.forms import ImportForm

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
}


def _percent(value: float | None) -> str:
    """A rate as a French percentage."""
    return "—" if value is None else f"{value * 100:.1f} %".replace(".", ",")


def _table(frame, columns: list[str]) -> list[dict]:
    """Rows of a rates frame ready for the template (rates formatted)."""
    rows = []
    for row in frame.iter_rows(named=True):
        row["label"] = " × ".join(str(row[c] or "non renseigné") for c in columns) or "Ensemble"
        row["taux_complet_fr"] = _percent(row["taux_complet"])
        row["taux_reponse_fr"] = _percent(row["taux_reponse"])
        rows.append(row)
    return rows


@require("view")
def monitoring(request: HttpRequest, pk: int) -> HttpResponse:
    """Response rates overall and by stratum, partial vs complete, daily curve."""
    campaign = get_object_or_404(Campaign.objects.select_related("edition"), pk=pk)
    status = targets_status(campaign, request.account)
    stratum = request.GET.get("strate", "kind_size")
    if stratum not in STRATA:
        stratum = "kind_size"
    curve = daily_curve(campaign, request.account)
    peak = max([1, *curve["commencees_cumul"].to_list()])
    points = [
        {
            **row,
            "bar": round(100 * row["completes_cumul"] / peak),
            "bar_started": round(100 * row["commencees_cumul"] / peak),
        }
        for row in curve.iter_rows(named=True)
    ]
    return render(
        request,
        "collection/operator/monitoring.html",
        {
            "campaign": campaign,
            "overall": _table(response_rates(status), [])[0],
            "rows": _table(response_rates(status, stratum), STRATA[stratum][0]),
            "stratum": stratum,
            "strata": [(key, label) for key, (_, label) in STRATA.items()],
            "stratum_label": STRATA[stratum][1],
            "curve": points,
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
        except ValueError as exc:
            form.add_error("mapping", str(exc))
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
                    encoding=data["encoding"] or "auto",
                    on_existing=data["on_existing"] or "refuse",
                    account=request.account,
                    actor=request.user,
                )
    return render(
        request,
        "collection/operator/import.html",
        {"campaign": campaign, "form": form, "report": report, "section": "import"},
    )
