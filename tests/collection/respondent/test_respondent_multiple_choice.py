"""Web form → export → analysis: a multiple choice left empty on a submitted response is « ticked
nothing » (in the denominator, every option 0), checked against the committed R outputs.

The 36 submissions of tests/stats/reference/multiple_web.csv are answered through the real
respondent pages (Django test client): complete ones are submitted from the review page, partial
ones stop after their last saved theme. The exported edition is analysed like any edition.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from django.test import Client
from django.utils import timezone

REFERENCE = Path(__file__).resolve().parents[2] / "stats" / "reference"
THEMES = {
    "equipement": ["site", "outils", "avis_site"],
    "usages": ["canaux", "agents"],
    "projets": ["projet", "projet_types"],
}
QUESTIONS = ("outils", "canaux", "projet_types")

pytestmark = pytest.mark.django_db


def post_theme(client: Client, theme: str, data: dict) -> None:
    """Save one theme page as the browser form does."""
    html = client.get(f"/r/questionnaire/{theme}/").content.decode()
    version = int(re.search(r'name="version" value="(\d+)"', html).group(1))
    base = re.search(r'name="base" value="([^"]*)"', html).group(1).replace("&quot;", '"')
    saved = client.post(
        f"/r/questionnaire/{theme}/",
        {"version": version, "base": base, "action": "save", **data},
    )
    assert saved.status_code in (200, 302), saved.content[:500]


def answer(client: Client, row: dict) -> None:
    """Save every theme the submission reached; submit it when it is complete."""
    last = max((i for i, qs in enumerate(THEMES.values()) if any(row[q] for q in qs)), default=-1)
    for i, (theme, questions) in enumerate(THEMES.items()):
        if i > last and row["status"] == "partial":
            break
        data = {q: row[q].split(" ") for q in questions if row[q]}
        post_theme(client, theme, data)
    if row["status"] == "complete":
        from barometre.collection.models import Response

        version = Response.objects.get(code=row["code"]).version
        done = client.post("/r/relecture/", {"version": version, "respondent_role": "DGS"})
        assert done.status_code == 302, done.content.decode()[:2000]


def test_web_form_submissions_match_r(tmp_path):
    from barometre.collection.exports import write_edition
    from barometre.collection.models import Campaign, Edition, Response, Target
    from barometre.collection.services import issue_invitation
    from barometre.edition.files import read_edition
    from barometre.register.frame import load_register
    from barometre.register.strata import add_strata
    from barometre.stats.analysis import AnalysisOptions, analyse

    rows = pl.read_csv(REFERENCE / "multiple_web.csv", infer_schema=False).fill_null("")
    edition = Edition.objects.create(
        slug="choix-multiple-2026",
        title="Choix multiple",
        year=2026,
        questionnaire_yaml=(REFERENCE / "multiple_questionnaire.yaml").read_text(encoding="utf-8"),
        questionnaire_id="test-choix-multiple",
        questionnaire_version="2026.1",
        source=Edition.Source.YAML,
    )
    campaign = Campaign.objects.create(
        edition=edition,
        name="Campagne",
        status=Campaign.Status.OPEN,
        opened_at=timezone.now(),
        closes_at=timezone.now() + timedelta(days=30),
    )
    register = load_register().entities.select("code", "name", "kind", "departement", "region")
    for row in rows.join(register, on="code", how="left").iter_rows(named=True):
        target = Target.objects.create(
            campaign=campaign,
            code=row["code"],
            name=row["name"],
            kind=row["kind"],
            departement=row["departement"] or "",
            region=row["region"] or "",
        )
        _invitation, token = issue_invitation(target)
        client = Client()
        assert client.get(f"/r/{token}/").status_code == 302
        answer(client, row)
    statuses = dict(Response.objects.values_list("code", "status"))
    assert statuses == dict(rows.select("code", "status").iter_rows())

    folder = write_edition(campaign, tmp_path / "edition")
    exported = read_edition(folder)
    table = analyse(
        exported.responses.with_columns(pl.all().cast(pl.String)),
        exported.questionnaire,
        add_strata(load_register().of_kind("commune", "epci")),  # the reference's population
        AnalysisOptions(
            margins=("kind",), breakdowns=("kind",), medians=False, strata="none", fpc=False
        ),
    ).table
    ref = pl.read_csv(
        REFERENCE / "r_output" / "multiple_choice.csv",
        null_values="NA",
        schema_overrides={"level": pl.String},
    ).filter(dataset="web", rule="asked")
    joined = ref.join(
        table,
        left_on=["question", "option", "domain", "level"],
        right_on=["indicator", "option", "domain", "domain_value"],
        how="left",
    )
    assert joined.height == ref.height and joined["estimate_right"].null_count() == 0
    np.testing.assert_allclose(joined["estimate_right"], joined["estimate"], atol=1e-10)
    np.testing.assert_allclose(joined["se_right"], joined["se"], rtol=1e-9, atol=1e-14)
    assert (joined["n_unweighted"] == joined["n"]).all()
    # 6 submitted responses left « canaux » empty: 0 for every option, not « sans réponse »
    canaux = table.filter(indicator="canaux", domain="ensemble", option="sans_reponse")
    assert canaux["estimate"][0] < 0.1
