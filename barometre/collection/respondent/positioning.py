"""The respondent's own positioning report, reached from its private space (`/r/positionnement/`).

The reports are static files written by `barometre report --positionnement` into the private
folder `BAROMETRE_POSITIONING_DIR`; the one of this session's collectivité for this campaign's
edition is found by `barometre.edition.private_reports.report_of`. Nothing else is ever served:
no other collectivité's report, no listing.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from barometre.collection.models import Invitation, Response
from barometre.collection.respondent.access import invalid_link, respondent_view
from barometre.collection.respondent.questionnaires import edition_questionnaire
from barometre.edition.private_reports import STYLESHEET, report_of


def positioning_root() -> Path:
    """Private folder of the positioning reports (setting or BAROMETRE_POSITIONING_DIR)."""
    value = getattr(settings, "BAROMETRE_POSITIONING_DIR", "") or os.environ.get(
        "BAROMETRE_POSITIONING_DIR", "positionnement"
    )
    return Path(value)


def own_report(invitation: Invitation) -> Path | None:
    """The report of the invitation's collectivité for its campaign's edition, if written."""
    questionnaire = edition_questionnaire(invitation.target.campaign.edition)
    return report_of(
        positioning_root(), questionnaire.id, questionnaire.edition, invitation.target.code
    )


def _private(response: HttpResponse) -> HttpResponse:
    """Never cached, never indexed, no referrer."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@respondent_view
def report(request: HttpRequest, invitation: Invitation, response: Response) -> HttpResponse:
    """The session's own positioning report (the same 404 page when there is none)."""
    path = own_report(invitation)
    if path is None:
        return invalid_link(request)
    return _private(HttpResponse(path.read_text(encoding="utf-8")))


@respondent_view
def stylesheet(request: HttpRequest, invitation: Invitation, response: Response) -> HttpResponse:
    """The stylesheet shared by the reports of the folder of the session's report."""
    path = own_report(invitation)
    if path is None or not (path.parent / STYLESHEET).is_file():
        return invalid_link(request)
    css = (path.parent / STYLESHEET).read_text(encoding="utf-8")
    return _private(HttpResponse(css, content_type="text/css; charset=utf-8"))
