"""The demo simulator: deterministic, biased like the DINUM sample, coherent with the questionnaire."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner

from barometre.cli import main
from barometre.edition.answer_columns import figure_shares, option_indicators
from barometre.edition.consolidation import consolidate
from barometre.edition.figures import load_figures
from barometre.edition.files import read_edition
from barometre.edition.simulate import simulate_edition, target_shares, template_frame
from barometre.questionnaire.model import QuestionType
from barometre.questionnaire.skip_logic import apply_relevance, constraint_frame
from barometre.questionnaire.templates_catalogue import list_templates, load_template
from barometre.register import load_register

DINUM = "dinum-collectivites-numerique-2024"


def _simulate(name: str, size: int | None = None, seed: int = 7):
    figures = load_figures(name)
    return simulate_edition(
        load_template(name),
        list(figures.figures),
        load_register().entities,
        figures.demo,
        size=size or figures.demo.size,
        seed=seed,
    )


@pytest.fixture(scope="module")
def dinum():
    return _simulate(DINUM)


def test_demo_command_is_byte_identical_for_a_seed(tmp_path: Path) -> None:
    runner = CliRunner()
    outputs = []
    for name, seed in (("a", "3"), ("b", "3"), ("c", "4")):
        result = runner.invoke(
            main, ["demo", str(tmp_path / name), "--seed", seed, "--size", "500", "--sans-rapport"]
        )
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    assert "Édition de démonstration" in outputs[0] and "soumissions" in outputs[0]
    for file in ("edition.yaml", "questionnaire.yaml", "responses.csv", "frame_attributes.csv"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()
    assert (tmp_path / "a" / "responses.csv").read_bytes() != (
        tmp_path / "c" / "responses.csv"
    ).read_bytes()
    edition = read_edition(tmp_path / "a")
    assert edition.consolidated().height == 500


def test_size_larger_than_the_template_frame_takes_everyone(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "demo",
            str(tmp_path / "nc"),
            "--template",
            "nouvelle-caledonie-services-publics",
            "--size",
            "1000",
            "--sans-rapport",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "toutes les entités sont retenues" in result.output
    edition = read_edition(tmp_path / "nc")
    codes = set(edition.consolidated().get_column("code"))
    assert "C988" in codes and all(code.startswith(("988", "C988")) for code in codes)


def test_skip_logic_and_constraints_hold_in_simulated_answers(dinum) -> None:
    questionnaire = load_template(DINUM)
    answers = dinum.responses.select(q.id for q in questionnaire.questions)
    assert apply_relevance(questionnaire, answers).equals(answers)
    assert constraint_frame(questionnaire, answers).sum().sum_horizontal().item() == 0
    # the follow-up question is asked of some respondents, and empty for all others
    lieux = dinum.responses.select("inc_lieux_mediation", "inc_lieux_types")
    assert lieux.filter(pl.col("inc_lieux_mediation") == "oui")["inc_lieux_types"].null_count() < 5
    assert lieux.filter(pl.col("inc_lieux_mediation") != "oui")["inc_lieux_types"].null_count() == (
        lieux.filter(pl.col("inc_lieux_mediation") != "oui").height
    )


@pytest.mark.parametrize("name", [n for n in list_templates() if n != DINUM])
def test_every_template_simulates_coherent_answers(name: str) -> None:
    questionnaire = load_template(name)
    simulated = _simulate(name, size=300)
    answers = simulated.responses.select(q.id for q in questionnaire.questions)
    assert apply_relevance(questionnaire, answers).equals(answers)
    for question in questionnaire.questions:
        if not question.type.is_choice:
            continue
        column = answers.get_column(question.id).drop_nulls()
        codes = (
            column.str.split(" ").explode()
            if question.type is QuestionType.MULTIPLE_CHOICE
            else column
        )
        assert set(codes.unique()) <= set(question.codes), question.id
        if question.max_choices is not None:
            assert column.str.split(" ").list.len().max() <= question.max_choices


def test_sample_over_represents_large_collectivites_and_opsn_members(dinum) -> None:
    entities = load_register().entities.join(dinum.frame_attributes, on="code")
    frame = template_frame(entities, load_figures(DINUM).demo)
    sample = dinum.sample
    assert sample.height == 3000
    assert dinum.frame_attributes.height == load_register().entities.height
    assert set(dinum.frame_attributes.get_column("opsn").unique()) == {0, 1}

    def large(frame: pl.DataFrame) -> float:
        return frame.select((pl.col("population") >= 10_000).mean()).item()

    def opsn(frame: pl.DataFrame) -> float:
        return frame.select(pl.col("opsn").mean()).item()

    assert large(sample) > 2 * large(frame)
    assert opsn(sample) > opsn(frame) + 0.1
    assert sample.filter(pl.col("kind") == "epci").height > 0


def test_latent_maturity_makes_large_collectivites_more_mature(dinum) -> None:
    answers = consolidate(dinum.responses).join(dinum.sample, on="code")
    by_size = answers.group_by(pl.col("population") >= 10_000).agg(
        (pl.col("cyb_formation_agents") == "oui").mean()
    )
    shares = dict(by_size.iter_rows())
    assert shares[True] > shares[False]


def test_raw_shares_land_near_the_published_figures(dinum) -> None:
    figures = {figure.id: figure for figure in load_figures(DINUM).figures}
    shares = figure_shares(consolidate(dinum.responses), load_template(DINUM), figures.values())
    assert shares.height == len(figures)
    for row in shares.iter_rows(named=True):
        target = figures[row["id"]].target
        # sampling noise of a share over the respondents asked, plus a little slack
        tolerance = 3 * math.sqrt(target * (1 - target) / row["n"]) + 0.03
        assert abs(row["share"] - target) < tolerance, row


def test_option_indicators_give_shares_among_those_asked(dinum) -> None:
    questionnaire = load_template(DINUM)
    consolidated = consolidate(dinum.responses)
    indicators = option_indicators(consolidated, questionnaire, ["inc_lieux_types", "cyb_rssi"])
    rssi = indicators.select(pl.col("^cyb_rssi__.*$")).drop_nulls()
    assert rssi.columns == [
        "cyb_rssi__interne",
        "cyb_rssi__mutualise",
        "cyb_rssi__aucun",
        "cyb_rssi__nsp",
    ]
    assert (rssi.sum_horizontal() == 1).all()
    asked = consolidated.get_column("inc_lieux_mediation") == "oui"
    lieux = indicators.get_column("inc_lieux_types__mediatheque")
    assert lieux.filter(~asked).null_count() == (~asked).sum()
    assert lieux.filter(asked).null_count() == 0


def test_some_collectivites_submit_twice_and_a_few_only_partially(dinum) -> None:
    counts = dinum.responses.group_by("code").agg(
        pl.len().alias("n"), (pl.col("status") == "complete").sum().alias("complete")
    )
    assert counts.filter(pl.col("n") == 2).height > 0
    assert counts.filter(pl.col("complete") == 2).height > 0
    assert counts.filter(pl.col("complete") == 0).height > 0
    nsp = (dinum.responses.get_column("cyb_rssi") == "nsp").mean()
    assert 0 < nsp < 0.15


def test_target_shares_impose_nested_figures() -> None:
    questionnaire = load_template("ey-france-urbaine-maturite")
    figures = [
        f
        for f in load_figures("ey-france-urbaine-maturite").figures
        if f.question == "edu_strategie"
    ]
    codes, shares = target_shares(questionnaire.question("edu_strategie"), figures)
    assert codes == ["0", "1", "2", "3", "4"]
    assert np.isclose(shares[2:].sum(), 0.97) and np.isclose(shares[3:].sum(), 0.83)


def test_several_editions_move_the_truth_and_keep_a_panel() -> None:
    """JVS 2015 → 2016: the opportunity share goes from 33 % to 48 %, part of the sample again."""
    from barometre.edition.answer_columns import figure_shares
    from barometre.edition.consolidation import consolidate
    from barometre.edition.simulate_editions import PANEL_SHARE, simulate_editions
    from barometre.questionnaire.templates_catalogue import template_text

    template = "jvs-petites-communes-dematerialisation"
    figures = load_figures(template)

    def run() -> list:
        return simulate_editions(
            load_template(template),
            template_text(template),
            list(figures.figures),
            load_register().entities,
            figures.demo,
            years=[2016, 2015],
            size=400,
            seed=9,
        )

    first, second = run()
    assert (first.year, second.year) == (2015, 2016)
    assert first.questionnaire.edition == "2015" and 'edition: "2015"' in first.questionnaire_text
    shares = []
    for edition in (first, second):
        responses = edition.simulated.responses.with_columns(
            pl.col("submitted_at").str.to_datetime()
        )
        table = figure_shares(consolidate(responses), edition.questionnaire, edition.figures)
        shares.append(table.filter(pl.col("id") == "per_opportunite")["share"][0])
    assert shares[0] == pytest.approx(0.33, abs=0.03) and shares[1] == pytest.approx(0.48, abs=0.03)
    both = set(first.simulated.sample["code"]) & set(second.simulated.sample["code"])
    assert len(both) == second.panel >= PANEL_SHARE * 400 and first.panel == 0
    again = run()[1].simulated.responses
    assert again.equals(second.simulated.responses)  # deterministic per seed
