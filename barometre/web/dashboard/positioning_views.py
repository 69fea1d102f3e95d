"""Positioning reports in the web app: by private link (token), and for the signed-in operator.

The reports and their shared stylesheet are static files of the private positioning folder; the
HTML links the stylesheet by a relative name, served next to each report's address.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse

from barometre.collection.operator.access import account_for
from barometre.collection.scopes import register_codes_in_scope
from barometre.edition.private_reports import STYLESHEET, report_by_token, reports_of_code
from barometre.publish.positioning import positioning_pdf
from barometre.web.dashboard.sources import positioning_dir

CODE = re.compile(r"^[0-9A-Za-z]{1,12}$")


def _private(response: HttpResponse) -> HttpResponse:
    """Never cached, never indexed, no referrer."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _serve(request: HttpRequest, path: Path) -> HttpResponse:
    """The HTML report, or its PDF on demand (?format=pdf)."""
    if request.GET.get("format") == "pdf":
        target = Path(tempfile.mkdtemp()) / "positionnement.pdf"
        positioning_pdf(path, target)
        response: HttpResponse = FileResponse(
            target.open("rb"), content_type="application/pdf", filename="positionnement.pdf"
        )
    else:
        response = HttpResponse(path.read_text(encoding="utf-8"))
    return _private(response)


def _stylesheet(path: Path) -> HttpResponse:
    """The stylesheet of the report's folder."""
    css = path.parent / STYLESHEET
    if not css.is_file():
        raise Http404("Feuille de style introuvable")
    return _private(
        HttpResponse(css.read_text(encoding="utf-8"), content_type="text/css; charset=utf-8")
    )


def _by_token(token: str) -> Path:
    """The report of a private token (404 when unknown)."""
    path = report_by_token(positioning_dir(), token)
    if path is None:
        raise Http404("Rapport introuvable")
    return path


def _by_code(request: HttpRequest, code: str) -> Path:
    """A respondent's report for a signed-in operator whose scope holds the code (404 otherwise)."""
    account = account_for(request.user)
    if account is None or not CODE.match(code):
        raise Http404("Rapport introuvable")
    if not register_codes_in_scope(account.scope, [code]):
        raise Http404("Rapport introuvable")
    found = reports_of_code(positioning_dir(), code)
    if not found:
        raise Http404("Rapport introuvable")
    return found[0]


def private_positioning(request: HttpRequest, token: str) -> HttpResponse:
    """A respondent's positioning report through its private link."""
    return _serve(request, _by_token(token))


def private_positioning_css(request: HttpRequest, token: str) -> HttpResponse:
    """The stylesheet of a report reached by its private link."""
    return _stylesheet(_by_token(token))


@login_required
def operator_positioning(request: HttpRequest, code: str) -> HttpResponse:
    """An operator opens a respondent's report by its code (an account whose scope holds it)."""
    return _serve(request, _by_code(request, code))


@login_required
def operator_positioning_css(request: HttpRequest, code: str) -> HttpResponse:
    """The stylesheet of a report opened by the operator."""
    return _stylesheet(_by_code(request, code))
