"""The `analyse` pipeline and command on the real register: indicators, denominators, bad input."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner

from barometre.cli.analyse_cmd import command
from barometre.questionnaire.yaml_format import loads_questionnaire
from barometre.register.frame import load_register
from barometre.register.strata import add_strata, region_group_expr
from barometre.stats.analysis import AnalysisOptions, analyse
from barometre.stats.errors import StatsError

QUESTIONNAIRE = """
id: test-stats
title: Test
version: "1"
edition: "2026"
themes:
  - id: t
    label: Thème
    questions:
      - {id: site, type: yes_no, label: Site internet ?, allow_nsp: true}
      - id: canaux
        type: multiple_choice
        label: Canaux
        relevant: "${site} = 'oui'"
        choices: [{code: web, label: Web}, {code: rs, label: Réseaux}, {code: papier, label: Papier}]
      - id: niveau
        type: maturity
        label: Niveau
        allow_nsp: true
        levels: [{code: "0", label: Rien}, {code: "1", label: Un peu}, {code: "2", label: Beaucoup}]
      - {id: agents, type: number, label: Agents}
      - {id: vide, type: yes_no, label: Jamais répondu}
"""


@pytest.fixture(scope="module")
def frame() -> pl.DataFrame:
    """The target population of these tests: communes and EPCI of the register, with strata."""
    return (
        add_strata(load_register().entities)
        .with_columns(region_group_expr())
        .filter(pl.col("kind").is_in(["commune", "epci"]))
    )


@pytest.fixture(scope="module")
def responses(frame) -> pl.DataFrame:
    """600 communes and EPCI with random answers (deterministic)."""
    rng = np.random.default_rng(7)
    pool = frame.filter(pl.col("kind").is_in(["commune", "epci"]))
    idx = rng.choice(pool.height, 600, replace=False)
    codes = pool["code"].gather(np.sort(idx))
    n = len(codes)
    site = rng.choice(["oui", "non", "nsp", ""], n, p=[0.6, 0.3, 0.05, 0.05])
    opts = np.array(["web", "rs", "papier"])
    picks = rng.random((n, 3)) < [0.8, 0.5, 0.3]
    canaux = [" ".join(opts[p]) for p in picks]
    return pl.DataFrame(
        {
            "code": codes,
            "site": site,
            "canaux": np.where(site == "oui", canaux, ""),
            "niveau": rng.choice(["0", "1", "2", "nsp"], n),
            "agents": np.round(rng.gamma(2, 10, n)).astype(int).astype(str),
            "vide": [""] * n,
        }
    )


@pytest.fixture(scope="module")
def result(responses, frame):
    """Default analysis by size class."""
    q = loads_questionnaire(QUESTIONNAIRE, "test.yaml")
    return analyse(responses, q, frame, AnalysisOptions(breakdowns=("kind_detail",)))


def test_share_equals_weighted_mean_of_output_weights(result, responses):
    w = result.weights["weight"].to_numpy()
    site = responses["site"].to_numpy()
    row = result.table.filter(indicator="site", option="oui", domain="ensemble")
    assert row["estimate"][0] == pytest.approx((w * (site == "oui")).sum() / w.sum(), rel=1e-12)
    nsp = result.table.filter(indicator="site", option="sans_reponse", domain="ensemble")
    assert nsp["estimate"][0] == pytest.approx((w * np.isin(site, ["nsp", ""])).sum() / w.sum())
    assert row["ci_low"][0] < row["estimate"][0] < row["ci_high"][0]


def test_skip_logic_sets_the_denominator(result, responses):
    asked = (responses["site"] == "oui").sum()
    rows = result.table.filter(indicator="canaux", domain="ensemble")
    assert set(rows["n_unweighted"].to_list()) == {asked}
    ranks = rows.filter(pl.col("option") != "sans_reponse").sort("rank")
    assert ranks["option"].to_list() == ["web", "rs", "papier"]


def test_maturity_distribution_and_mean_level(result):
    dist = result.table.filter(indicator="niveau", domain="ensemble", kind="share")
    assert dist["estimate"].sum() == pytest.approx(1.0)
    mean = result.table.filter(indicator="niveau", domain="ensemble", kind="mean_level")
    assert 0.5 < mean["estimate"][0] < 1.5
    med = result.table.filter(indicator="agents", domain="ensemble", kind="median")
    assert med["ci_low"][0] <= med["estimate"][0] <= med["ci_high"][0]


def test_no_nan_anywhere_and_small_domains_flagged(result):
    t = result.table
    for c in ["estimate", "se", "ci_low", "ci_high", "cv"]:
        assert not t[c].is_nan().any()
    small = t.filter(pl.col("n_unweighted") < 5)
    assert small.height and small["suppressed"].all() and small["estimate"].is_null().all()


def test_exclude_nsp_and_empty_item(responses, frame):
    q = loads_questionnaire(QUESTIONNAIRE, "test.yaml")
    r = analyse(responses, q, frame, AnalysisOptions(exclude_nsp=True))
    t = r.table
    assert "sans_reponse" not in t["option"].to_list()
    answered = responses["site"].is_in(["oui", "non"]).sum()
    assert t.filter(indicator="site", option="oui")["n_unweighted"][0] == answered
    empty = t.filter(indicator="vide")
    assert empty["suppressed"].all()
    assert empty["note"][0] == "aucune réponse dans ce domaine"


def test_one_respondent_domain_gets_a_note_not_nan(responses, frame):
    q = loads_questionnaire(QUESTIONNAIRE, "test.yaml")
    lonely = responses.with_columns(
        groupe=pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("seul")).otherwise(pl.lit("autres"))
    )
    r = analyse(lonely, q, frame, AnalysisOptions(breakdowns=("groupe",), min_n=1))
    rows = r.table.filter(indicator="site", domain="groupe", domain_value="seul")
    assert not rows["suppressed"].any() and rows["imprecise"].all()
    assert (rows["n_unweighted"] == 1).all() and rows["note"].str.contains("imprécise").all()
    # p is 0 or 1 with one respondent: an exact (Clopper–Pearson) bound on n = 1, never NaN
    assert ((rows["ci_low"] >= 0) & (rows["ci_high"] <= 1)).all()
    means = r.table.filter(indicator="agents", domain="groupe", domain_value="seul", kind="mean")
    assert means["ci_low"][0] is None and "non calculable" in means["note"][0]


def test_limesurvey_option_columns_give_the_same_table(responses, frame, result):
    q = loads_questionnaire(QUESTIONNAIRE, "test.yaml")
    wide = responses.with_columns(
        pl.col("canaux")
        .str.split(" ")
        .list.contains(o)
        .cast(pl.Int8)
        .cast(pl.String)
        .alias(f"canaux[{o}]")
        for o in ["web", "rs", "papier"]
    ).drop("canaux")
    r = analyse(wide, q, frame, AnalysisOptions(breakdowns=("kind_detail",)))
    a = result.table.filter(indicator="canaux").select("option", "domain_value", "estimate", "se")
    b = r.table.filter(indicator="canaux").select("option", "domain_value", "estimate", "se")
    assert a.equals(b)


def test_bad_inputs_are_french_errors_naming_line_and_field(responses, frame):
    q = loads_questionnaire(QUESTIONNAIRE, "test.yaml")
    outside = responses.with_columns(
        pl.when(pl.int_range(pl.len()) == 3)
        .then(pl.lit("99999"))
        .otherwise(pl.col("code"))
        .alias("code")
    )
    with pytest.raises(StatsError, match=r"Ligne 5, champ « code » : « 99999 » est absent"):
        analyse(outside, q, frame)
    bad = responses.with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.lit("peut-être"))
        .otherwise(pl.col("site"))
        .alias("site")
    )
    with pytest.raises(StatsError, match=r"Ligne 2, champ « site » : code « peut-être » inconnu"):
        analyse(bad, q, frame)
    bad_multi = responses.with_columns(
        pl.when(pl.int_range(pl.len()) == 1)
        .then(pl.lit("web fax"))
        .otherwise(pl.col("canaux"))
        .alias("canaux"),
        pl.when(pl.int_range(pl.len()) == 1)
        .then(pl.lit("oui"))
        .otherwise(pl.col("site"))
        .alias("site"),
    )
    with pytest.raises(StatsError, match=r"Ligne 3, champ « canaux » : code « web fax » inconnu"):
        analyse(bad_multi, q, frame)
    bad_number = responses.with_columns(
        pl.when(pl.int_range(pl.len()) == 4)
        .then(pl.lit("douze"))
        .otherwise(pl.col("agents"))
        .alias("agents")
    )
    with pytest.raises(
        StatsError, match=r"Ligne 6, champ « agents » : « douze » n'est pas un nombre"
    ):
        analyse(bad_number, q, frame)
    dup = pl.concat([responses, responses.head(1)])
    with pytest.raises(StatsError, match="plusieurs réponses"):
        analyse(dup, q, frame)
    with pytest.raises(StatsError, match="Ventilation « nulle_part »"):
        analyse(responses, q, frame, AnalysisOptions(breakdowns=("nulle_part",)))


def test_duplicates_with_status_are_consolidated(responses, frame):
    q = loads_questionnaire(QUESTIONNAIRE, "test.yaml")
    first = responses.with_columns(
        status=pl.lit("complete"), submitted_at=pl.lit("2026-01-01T10:00:00")
    )
    again = first.head(10).with_columns(
        status=pl.lit("partial"), submitted_at=pl.lit("2026-02-01T10:00:00")
    )
    r = analyse(pl.concat([first, again]), q, frame)
    assert r.diagnostics["n_respondents"] == responses.height


def test_command_writes_table_weights_diagnostics(tmp_path, responses):
    (tmp_path / "q.yaml").write_text(QUESTIONNAIRE, encoding="utf-8")
    responses.write_csv(tmp_path / "reponses.csv")
    out = tmp_path / "res" / "resultats.parquet"
    res = CliRunner().invoke(
        command,
        [
            str(tmp_path / "reponses.csv"),
            "-q",
            str(tmp_path / "q.yaml"),
            "-o",
            str(out),
            "--breakdowns",
            "size_class",
            "--ci",
            "wilson",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "estimations écrites" in res.output
    table = pl.read_parquet(out)
    assert table.columns[:6] == [
        "indicator",
        "kind",
        "option",
        "option_label",
        "domain",
        "domain_value",
    ]
    assert (tmp_path / "res" / "resultats_poids.parquet").exists()
    assert (tmp_path / "res" / "resultats_diagnostics.json").exists()
    assert not math.isnan(table["estimate"].drop_nulls()[0])


def test_command_bad_input_writes_nothing(tmp_path, responses):
    (tmp_path / "q.yaml").write_text(QUESTIONNAIRE, encoding="utf-8")
    bad = responses.with_columns(
        pl.when(pl.int_range(pl.len()) == 2)
        .then(pl.lit("00000"))
        .otherwise(pl.col("code"))
        .alias("code")
    )
    bad.write_csv(tmp_path / "r.csv")
    out = tmp_path / "out.csv"
    res = CliRunner().invoke(
        command, [str(tmp_path / "r.csv"), "-q", str(tmp_path / "q.yaml"), "-o", str(out)]
    )
    assert res.exit_code == 1
    assert "absent de la base de sondage" in res.output
    assert (
        list(tmp_path.iterdir()) == sorted([tmp_path / "q.yaml", tmp_path / "r.csv"])
        or not out.exists()
    )
    assert not out.exists()


def test_command_on_an_edition_folder_uses_its_margins_and_attributes(tmp_path, responses):
    from barometre.edition.files import write_edition

    rows = responses.with_columns(
        response_id=pl.format("R{}", pl.int_range(pl.len())),
        submitted_at=pl.lit("2026-03-01T10:00:00"),
        status=pl.lit("complete"),
        respondent_role=pl.lit("dgs"),
    ).select(
        "response_id",
        "code",
        "submitted_at",
        "status",
        "respondent_role",
        "site",
        "canaux",
        "niveau",
        "agents",
        "vide",
    )
    attributes = pl.DataFrame(
        {"code": responses["code"], "opsn": (np.arange(responses.height) % 2).astype(str)}
    )
    folder = write_edition(
        tmp_path / "edition",
        meta={
            "id": "test",
            "calibration": {
                "method": "raking",
                "margins": ["kind_detail × size_class", "region_group"],
            },
        },
        questionnaire_text=QUESTIONNAIRE,
        responses=rows,
        frame_attributes=attributes,
    )
    out = tmp_path / "r.csv"
    res = CliRunner().invoke(command, [str(folder), "-o", str(out), "--breakdowns", "opsn"])
    assert res.exit_code == 0, res.output
    table = pl.read_csv(out)
    assert set(table.filter(domain="opsn")["domain_value"].cast(pl.String).to_list()) == {"0", "1"}
    weights = pl.read_csv(tmp_path / "r_poids.csv", infer_schema=False)
    assert {"margin_kind_detail*size_class", "margin_region_group"} <= set(weights.columns)


def test_bootstrap_variance_option_is_close_to_linearisation(responses, frame):
    q = loads_questionnaire(QUESTIONNAIRE, "test.yaml")
    lin = analyse(responses, q, frame, AnalysisOptions(breakdowns=("kind_detail",), min_cell=10))
    boot = analyse(
        responses,
        q,
        frame,
        AnalysisOptions(breakdowns=("kind_detail",), variance="bootstrap", replicates=300, seed=3),
    )
    variance = boot.diagnostics["variance"]
    assert variance["method"] == "bootstrap" and variance["replicates"] == 300
    assert variance["failed_replicates"] < 30
    keys = ["indicator", "kind", "option", "domain", "domain_value"]
    both = lin.table.join(boot.table, on=keys, suffix="_b").filter(
        pl.col("domain") == "ensemble", pl.col("se") > 0, pl.col("kind") != "median"
    )
    assert both.height > 10
    assert (both["estimate"] == both["estimate_b"]).all()
    ratio = (both["se_b"] / both["se"]).to_numpy()
    assert 0.8 < np.median(ratio) < 1.2


def test_strata_with_fpc_poststrat_and_bounds(responses, frame):
    q = loads_questionnaire(QUESTIONNAIRE, "test.yaml")
    none = analyse(responses, q, frame, AnalysisOptions(strata="kind_detail", method="none"))
    pop = frame.filter(pl.col("kind").is_in(["commune", "epci"]))
    sample = responses.join(frame.select("code", "kind_detail"), on="code")
    expected = sample.join(pop.group_by("kind_detail").len("N"), on="kind_detail").join(
        sample.group_by("kind_detail").len("n"), on="kind_detail"
    )
    w = dict(zip(none.weights["code"], none.weights["weight"], strict=True))
    for code, big_n, n in expected.select("code", "N", "n").iter_rows():
        assert w[code] == pytest.approx(big_n / n)
    represented = pop.filter(pl.col("kind_detail").is_in(sample["kind_detail"].unique().implode()))
    assert none.weights["weight"].sum() == pytest.approx(represented.height)
    missing = set(pop["kind_detail"].unique().to_list()) - set(sample["kind_detail"].to_list())
    assert missing and all(
        any(f"Strate « {m} » sans répondant" in w for w in none.diagnostics["warnings"])
        for m in missing
    )
    post = analyse(
        responses,
        q,
        frame,
        AnalysisOptions(margins=("kind_detail*size_class",), method="poststrat"),
    )
    assert post.diagnostics["calibration"]["iterations"] == 1
    assert post.weights["weight"].sum() == pytest.approx(pop.height)
    with pytest.raises(StatsError, match="infaisables"):
        analyse(responses, q, frame, AnalysisOptions(method="logit", bounds=(0.9, 1.1)))


def test_command_reads_xlsx_responses(tmp_path, responses):
    from openpyxl import Workbook

    (tmp_path / "q.yaml").write_text(QUESTIONNAIRE, encoding="utf-8")
    book = Workbook()
    sheet = book.active
    sheet.append(responses.columns)
    for row in responses.head(300).iter_rows():
        sheet.append(list(row))
    book.save(tmp_path / "reponses.xlsx")
    out = tmp_path / "res.csv"
    res = CliRunner().invoke(
        command, [str(tmp_path / "reponses.xlsx"), "-q", str(tmp_path / "q.yaml"), "-o", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert "300 répondants" in res.output
    assert pl.read_csv(out).filter(indicator="site", option="oui")["n_unweighted"][0] == 300


def test_evolution_table_between_two_independent_editions(responses, frame, result):
    from barometre.stats.evolution import evolution_table

    q = loads_questionnaire(QUESTIONNAIRE, "test.yaml")
    later = responses.with_columns(
        site=pl.when(pl.col("site") == "non").then(pl.lit("oui")).otherwise(pl.col("site"))
    )
    after = analyse(later, q, frame, AnalysisOptions(breakdowns=("kind_detail",)))
    evo = evolution_table(result.table, after.table)
    row = evo.filter(indicator="site", option="oui", domain="ensemble")
    assert row["difference"][0] > 0.2 and row["significant"][0]
    b = result.table.filter(indicator="site", option="oui", domain="ensemble")
    a = after.table.filter(indicator="site", option="oui", domain="ensemble")
    assert row["se"][0] == pytest.approx((b["se"][0] ** 2 + a["se"][0] ** 2) ** 0.5)
    assert not evo["difference"].is_nan().any()
    suppressed = result.table.filter(pl.col("suppressed")).height
    assert evo.filter(pl.col("difference").is_null()).height >= suppressed
