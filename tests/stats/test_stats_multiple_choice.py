"""Multiple choice « ticked nothing » vs « no answer », every source, against committed R outputs.

R (make_multiple_choice.R) derives the indicators from the raw text by the documented rule; here
the same answers go through an edition folder (XLSForm-style column), a LimeSurvey export (`q[opt]`
columns, `Y` or empty), a KoboToolbox export (`q/opt` columns, 1/0, empty when not answered) and a
plain response file without status; the web form is in tests/collection/respondent.
"""

from __future__ import annotations

import shutil

import numpy as np
import polars as pl
import pytest
from stats_reference_data import OUT, REF, multiple_choice_frame

from barometre.edition.answer_columns import mark_nothing_ticked
from barometre.edition.files import read_edition
from barometre.questionnaire.skip_logic import apply_relevance
from barometre.questionnaire.yaml_format import loads_questionnaire
from barometre.stats.analysis import AnalysisOptions, analyse
from barometre.stats.indicators import build_indicators

QUESTIONS = {
    "outils": ["cms", "formulaire", "paiement", "rdv"],
    "canaux": ["email", "sms", "courrier", "reseaux"],
    "projet_types": ["dematerialisation", "cyber", "donnees"],
}
MARGINS = {"national": ("cell", "region_group"), "web": ("kind",)}


def reference(dataset: str, rule: str = "asked") -> pl.DataFrame:
    """R's estimates for one dataset and denominator rule."""
    return pl.read_csv(
        OUT / "multiple_choice.csv", null_values="NA", schema_overrides={"level": pl.String}
    ).filter(dataset=dataset, rule=rule)


def responses(dataset: str) -> pl.DataFrame:
    """The committed submissions (responses.csv columns only)."""
    raw = pl.read_csv(REF / f"multiple_{dataset}.csv", infer_schema=False)
    return raw.drop("cell", "region_group", "kind", "opsn")


def questionnaire():
    """The reference questionnaire."""
    return loads_questionnaire((REF / "multiple_questionnaire.yaml").read_text(encoding="utf-8"))


def assert_matches_r(table: pl.DataFrame, ref: pl.DataFrame) -> None:
    """Every R row has its estimate (1e-10), SE (1e-9 relative), n and overall logit CI (1e-6)."""
    mine = table.filter(pl.col("indicator").is_in(list(QUESTIONS)))
    joined = ref.join(
        mine,
        left_on=["question", "option", "domain", "level"],
        right_on=["indicator", "option", "domain", "domain_value"],
        how="left",
    )
    assert joined.height == ref.height and joined["estimate_right"].null_count() == 0
    np.testing.assert_allclose(joined["estimate_right"], joined["estimate"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(joined["se_right"], joined["se"], rtol=1e-9, atol=1e-14)
    assert (joined["n_unweighted"] == joined["n"]).all()
    overall = joined.filter(domain="ensemble")
    np.testing.assert_allclose(overall["ci_low_right"], overall["ci_low"], atol=1e-6)
    np.testing.assert_allclose(overall["ci_high_right"], overall["ci_high"], atol=1e-6)


def run(frame: pl.DataFrame, dataset: str, exclude_nsp: bool = False) -> pl.DataFrame:
    """`analyse` with the reference margins, broken down by kind."""
    options = AnalysisOptions(
        margins=MARGINS[dataset],
        breakdowns=("kind",),
        exclude_nsp=exclude_nsp,
        medians=False,
        strata="none",  # R: svydesign(ids = ~1, weights = ~w), no strata, no fpc
        fpc=False,
        ci="logit",  # R svyciprop(method = "logit")
    )
    return analyse(frame, questionnaire(), multiple_choice_frame(), options).table


@pytest.fixture(scope="module")
def edition_responses(tmp_path_factory) -> pl.DataFrame:
    """The national submissions read back from an edition folder (`read_edition`)."""
    folder = tmp_path_factory.mktemp("edition")
    responses("national").write_csv(folder / "responses.csv")
    shutil.copy(REF / "multiple_questionnaire.yaml", folder / "questionnaire.yaml")
    (folder / "edition.yaml").write_text("id: choix-multiple\ntitle: Test\nyear: 2026\n")
    return read_edition(folder).responses


def test_the_reference_exercises_every_case():
    counts = pl.read_csv(OUT / "multiple_choice_counts.csv").filter(dataset="national")
    assert (counts["nothing_ticked"] >= 40).all() and (counts["sans_reponse"] >= 15).all()
    raw = pl.read_csv(REF / "multiple_national.csv", infer_schema=False)
    partial = raw.filter(status="partial")
    # partial submissions that stopped before a theme, and others that went past an empty one
    assert partial.filter(pl.col("canaux").is_null() & pl.col("agents").is_null()).height >= 10
    assert partial.filter(pl.col("outils").is_null() & (pl.col("site") == "oui")).height >= 3


def test_indicator_counts_follow_the_rule(edition_responses):
    q = questionnaire()
    ind = build_indicators(edition_responses, q)
    counts = pl.read_csv(OUT / "multiple_choice_counts.csv").filter(dataset="national")
    for question, asked, nothing, no_answer in counts.select(
        "question", "asked", "nothing_ticked", "sans_reponse"
    ).iter_rows():
        columns = [i for i, m in enumerate(ind.binary_meta) if m["indicator"] == question]
        mask = ind.masks[:, ind.binary_mask[columns[0]]]
        options = ind.binary[:, columns[:-1]]
        assert mask.sum() == asked
        assert ind.binary[:, columns[-1]].sum() == no_answer  # sans_reponse
        assert (mask & ~options.any(axis=1) & ~ind.binary[:, columns[-1]]).sum() == nothing


def test_edition_folder_matches_r(edition_responses):
    frame = edition_responses.with_columns(pl.all().cast(pl.String))
    assert_matches_r(run(frame, "national"), reference("national"))
    assert_matches_r(run(frame, "national", exclude_nsp=True), reference("national", "answered"))


def split_columns(frame: pl.DataFrame, on: str, off: str | None, sep: str) -> pl.DataFrame:
    """One column per option (`q[opt]` or `q/opt`, `nsp` included): `on` when ticked; for the other
    options `off` where the respondent answered (ticked something or nothing), else empty."""
    q = questionnaire()
    marked = mark_nothing_ticked(apply_relevance(q, frame), q)
    out = frame
    for question in QUESTIONS:
        value = marked[question]
        answered = value.is_not_null()
        names = {
            c: f"{question}[{c}]" if sep == "[" else f"{question}{sep}{c}"
            for c in q.question(question).codes
        }
        out = out.with_columns(
            pl.when(value.str.split(" ").list.contains(c).fill_null(False))
            .then(pl.lit(on))
            .when(pl.lit(off is not None) & answered)
            .then(pl.lit(off))
            .otherwise(None)
            .alias(name)
            for c, name in names.items()
        ).drop(question)
    return out


def test_limesurvey_export_matches_r():
    """LimeSurvey: `q[opt]` = `Y` when ticked, empty otherwise; the status carries the rule."""
    frame = split_columns(responses("national"), "Y", None, "[")
    assert "outils[cms]" in frame.columns and "outils" not in frame.columns
    assert_matches_r(run(frame, "national"), reference("national"))


def test_kobo_export_matches_r():
    """KoboToolbox: `q/opt` = 1/0 for an answered question (all 0: ticked nothing), empty if not."""
    frame = split_columns(responses("national"), "1", "0", "/")
    assert_matches_r(run(frame, "national"), reference("national"))
    # the explicit zeros say « ticked nothing » whatever the status
    assert_matches_r(
        run(frame.with_columns(status=pl.lit("partial")), "national"), reference("national")
    )


def test_a_file_without_status_is_read_as_submitted():
    """A plain response file (no status column): every row is a submitted response."""
    complete = responses("national").filter(status="complete")
    table = run(complete.drop("status", "submitted_at", "response_id"), "national")
    with_status = run(complete, "national")
    assert table.equals(with_status)


def test_reading_empty_cells_as_no_answer_would_differ_from_r(edition_responses, monkeypatch):
    """Guard: without the rule (every empty cell « sans réponse »), the figures leave R's."""
    import barometre.stats.indicators as indicators

    monkeypatch.setattr(
        indicators, "nothing_ticked", lambda frame, *_: frame.select(pl.lit(False).alias("x"))[:0]
    )
    frame = edition_responses.with_columns(
        pl.col(q).replace("", None) for q in QUESTIONS
    ).with_columns(pl.all().cast(pl.String))
    with pytest.raises(AssertionError):
        assert_matches_r(run(frame, "national"), reference("national"))
