"""`barometre questionnaire`: validate, convert, show, templates, compare, schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from shared_files import shared_path

from barometre.cli import main
from barometre.questionnaire import list_templates, load_questionnaire

RICH = Path(__file__).parent / "rich_questionnaire.yaml"


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, ["questionnaire", *args], catch_exceptions=False)

    return invoke


def test_help_is_in_french(run) -> None:
    result = run("--help")
    assert result.exit_code == 0
    for name in ("validate", "convert", "show", "templates", "compare", "schema"):
        assert name in result.output
    assert "Questionnaires" in result.output


def test_validate_ok_and_errors(run, tmp_path: Path) -> None:
    ok = run("validate", str(RICH))
    assert ok.exit_code == 0
    assert "Questionnaire valide" in ok.output and "8 question(s)" in ok.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        RICH.read_text()
        .replace("scale: stades", "scale: absente")
        .replace("id: agents", "id: commentaire")
    )
    result = run("validate", str(bad))
    assert result.exit_code == 1
    assert "2 erreur(s)" in result.output
    assert "échelle « absente » inconnue" in result.output
    assert "ligne " in result.output and "themes[1].questions[2].scale" in result.output


def test_convert_round_trip_through_xlsform(run, tmp_path: Path) -> None:
    xlsx = tmp_path / "rich.xlsx"
    back = tmp_path / "rich.yaml"
    assert run("convert", str(RICH), str(xlsx)).exit_code == 0
    result = run("convert", str(xlsx), str(back))
    assert result.exit_code == 0, result.output
    assert load_questionnaire(back) == load_questionnaire(RICH)
    assert run("validate", str(xlsx)).exit_code == 0


def test_convert_writes_nothing_on_invalid_input(run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\n")
    target = tmp_path / "out.xlsx"
    assert run("convert", str(bad), str(target)).exit_code == 1
    assert not target.exists()
    unknown = run("convert", str(RICH), str(tmp_path / "out.csv"))
    assert unknown.exit_code == 1 and "extension « .csv » non reconnue" in unknown.output
    assert list(tmp_path.iterdir()) == [bad]


def test_show_file_and_template(run) -> None:
    result = run("show", str(RICH), "--modalites")
    assert result.exit_code == 0
    assert "Thème strategie — Stratégie numérique (vague vague2, poids 2.5)" in result.output
    assert "↳ posée si ${strat_existe} = 'oui'" in result.output
    assert "→ conditionne strat_maturite" in result.output
    assert "· nsp = Ne sait pas / sans réponse" in result.output
    name = list_templates()[0]
    assert run("show", "--template", name).exit_code == 0
    assert run("show").exit_code == 2
    missing = run("show", "--template", "inexistant")
    assert missing.exit_code == 2 and "modèle « inexistant » inconnu" in missing.output


def test_templates_lists_every_template(run) -> None:
    result = run("templates")
    assert result.exit_code == 0
    for name in list_templates():
        assert name in result.output


def test_compare_two_versions(run, tmp_path: Path) -> None:
    new = tmp_path / "new.yaml"
    lines = RICH.read_text().splitlines(keepends=True)
    new.write_text("".join(line for line in lines if "code: usagers" not in line))
    result = run("compare", str(RICH), str(new))
    assert result.exit_code == 0
    assert "strat_domaines : modalité « usagers » supprimée" in result.output
    assert "Aucune différence" in run("compare", str(RICH), str(RICH)).output


def test_schema_command_prints_the_json_schema(run) -> None:
    result = run("schema")
    assert json.loads(result.output)["$schema"].endswith("2020-12/schema")


def test_validate_external_xlsform_reports(run) -> None:
    external = shared_path("external", "xlsform")
    result = run("validate", str(external / "widgets.xls"))
    assert result.exit_code == 0
    assert "type « geopoint » non pris en charge" in result.output
    strict = run("validate", "--strict", str(external / "widgets.xls"))
    assert strict.exit_code == 1
    failed = run("validate", str(external / "tutorial.xls"))
    assert failed.exit_code == 1 and "aucune question importable" in failed.output


def test_every_subcommand_and_option_is_documented() -> None:
    from barometre.cli.questionnaire_cmd import command

    docs = (Path(__file__).parents[2] / "docs" / "questionnaire.md").read_text(encoding="utf-8")
    for name, subcommand in command.commands.items():
        assert f"barometre questionnaire {name}" in docs, name
        for parameter in subcommand.params:
            for option in getattr(parameter, "opts", []):
                if option.startswith("--"):
                    assert option in docs, f"{name} {option}"
