"""Calibration: raking, bounds, infeasibility, collapsing, diagnostics, French errors."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from stats_reference_data import REF, design_for, margins, read, totals

from barometre.stats.calibration import Margin, calibrate
from barometre.stats.design import Design
from barometre.stats.errors import CalibrationError, DesignError


def _medium():
    df = read("medium.csv")
    return df, Design.from_columns(weights=df["w"].to_numpy())


def test_raking_reproduces_margins_and_reports_diagnostics():
    df, base = _medium()
    mg = margins(df, totals("frame_totals.csv"), ["kd_size", "region_group"])
    d = calibrate(base, mg, "raking")
    diag = d.calibration.diagnostics
    for m in mg:
        for cat, tot in m.totals.items():
            assert d.weights[m.sample == cat].sum() == pytest.approx(tot, rel=1e-9)
    assert diag["max_relative_residual"] < 1e-10
    assert 1 < diag["iterations"] < 100
    assert diag["g_min"] < 1 < diag["g_max"]
    assert diag["deff_kish"] == pytest.approx(d.n * (d.weights**2).sum() / d.weights.sum() ** 2)
    assert diag["n_effective"] == pytest.approx(d.n / diag["deff_kish"])


def test_ipf_and_newton_raking_agree():
    """IPF (unbounded raking) and Newton with loose bounds give the same weights."""
    df, base = _medium()
    mg = margins(df, totals("frame_totals.csv"), ["kd_size", "region_group"])
    ipf = calibrate(base, mg, "raking")
    newton = calibrate(base, mg, "raking", bounds=(1e-3, 1e3))
    np.testing.assert_allclose(ipf.weights, newton.weights, rtol=1e-8)


def test_logit_respects_bounds():
    df, base = _medium()
    mg = margins(df, totals("frame_totals.csv"), ["kd_size", "region_group"])
    d = calibrate(base, mg, "logit", bounds=(0.1, 4.0))
    g = d.weights / base.weights
    assert g.min() >= 0.1 - 1e-9 and g.max() <= 4.0 + 1e-9


def test_infeasible_bounds_are_detected_in_french():
    df, base = _medium()
    mg = margins(df, totals("frame_totals.csv"), ["kd_size", "region_group"])
    with pytest.raises(CalibrationError, match="infaisables"):
        calibrate(base, mg, "logit", bounds=(0.8, 1.2))


def test_non_convergence_is_reported():
    df, base = _medium()
    mg = margins(df, totals("frame_totals.csv"), ["kd_size", "region_group"])
    with pytest.raises(CalibrationError, match="n'a pas convergé"):
        calibrate(base, mg, "raking", maxit=2)


def test_empty_cell_is_collapsed_with_a_named_warning():
    df, base = _medium()
    tot = totals("frame_totals.csv")["kd_size"]
    tot = {"aaa_vide": 50.0, **tot}  # a population category no respondent belongs to
    d = calibrate(base, [Margin("kd_size", df["kd_size"].to_numpy(), tot)], "raking")
    collapsed = d.calibration.diagnostics["collapsed"]
    assert collapsed and "aaa_vide" in collapsed[0]["merged"]
    assert d.weights.sum() == pytest.approx(sum(tot.values()))


def test_empty_cell_without_collapsing_is_an_error_naming_it():
    df, base = _medium()
    tot = {"aaa_vide": 50.0, **totals("frame_totals.csv")["kd_size"]}
    with pytest.raises(CalibrationError, match="aaa_vide"):
        calibrate(base, [Margin("kd_size", df["kd_size"].to_numpy(), tot)], collapse_below=None)


def test_respondent_outside_frame_is_named():
    df, base = _medium()
    tot = dict(totals("frame_totals.csv")["kd_size"])
    del tot["epci_CU"]
    with pytest.raises(CalibrationError, match=r"epci_CU.*hors base"):
        calibrate(base, [Margin("kd_size", df["kd_size"].to_numpy(), tot)])


def test_poststratification_hits_cell_totals_exactly():
    _, d = design_for("tiny", "poststrat")
    assert d.calibration.diagnostics["iterations"] == 1
    cells = pl.read_csv(REF / "tiny_cells.csv")
    assert d.weights.sum() == pytest.approx(cells["total"].sum(), rel=1e-12)


def test_bad_design_inputs_are_french_errors():
    with pytest.raises(DesignError, match="Ligne 2"):
        Design.from_columns(weights=np.array([1.0, -2.0]))
    with pytest.raises(DesignError, match="hors base"):
        Design.from_columns(strata=np.array(["a", "a", "a"]), population_sizes=np.array([2, 2, 2]))
    lonely = Design.from_columns(
        strata=np.array(["a", "b", "b"]), population_sizes=np.array([5, 9, 9]), lonely_psu="fail"
    )
    with pytest.raises(DesignError, match="un seul répondant"):
        lonely.stratum_factors()


def test_category_with_zero_population_but_respondents_is_an_error():
    df, base = _medium()
    tot = dict(totals("frame_totals.csv")["kd_size"])
    tot["epci_CU"] = 0.0
    with pytest.raises(CalibrationError, match="effectif dans la base de sondage est nul"):
        calibrate(base, [Margin("kd_size", df["kd_size"].to_numpy(), tot)])
