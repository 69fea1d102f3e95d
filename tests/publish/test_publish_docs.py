"""`barometre report` and every one of its options are described in docs/publish.md."""

from __future__ import annotations

from pathlib import Path

import click
from click.testing import CliRunner

from barometre.cli import main
from barometre.cli.report_cmd import command

DOC = Path(__file__).resolve().parents[2] / "docs" / "publish.md"


def test_every_option_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert "barometre report" in text
    missing = [
        flag
        for param in command.params
        if isinstance(param, click.Option)
        for flag in param.opts
        if f"`{flag}" not in text and f", {flag}" not in text
    ]
    assert not missing, f"non documentés : {missing}"


def test_help_is_in_french_and_registered() -> None:
    result = CliRunner().invoke(main, ["report", "--help"])
    assert result.exit_code == 0
    assert "Rapport de chiffres clés" in result.output
    assert "--positionnement" in result.output


def test_bad_edition_fails_in_french_without_writing(tmp_path: Path) -> None:
    edition = tmp_path / "edition"
    edition.mkdir()
    (edition / "edition.yaml").write_text("title: sans identifiant\n", encoding="utf-8")
    out = tmp_path / "rapport"
    result = CliRunner().invoke(main, ["report", str(edition), "--out", str(out)])
    assert result.exit_code != 0
    assert "Erreur" in result.output and "edition.yaml" in result.output
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".rapport")]


def test_report_command_writes_site_and_says_where(editions, tmp_path: Path) -> None:
    edition = editions["nouvelle-caledonie-services-publics"]
    foreign = tmp_path / "p"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("à garder", encoding="utf-8")
    refused = CliRunner().invoke(
        main,
        ["report", str(edition), "--out", str(tmp_path / "x"), "--positionnement", str(foreign)],
    )
    assert refused.exit_code != 0 and "n'est pas un dossier de rapports" in refused.output
    assert not (tmp_path / "x").exists() and [p.name for p in foreign.iterdir()] == ["notes.txt"]
    too_small = CliRunner().invoke(
        main,
        ["report", str(edition), "--positionnement", str(tmp_path / "q"), "--pairs-min", "3"],
    )
    assert too_small.exit_code != 0 and not (tmp_path / "q").exists()
    out = tmp_path / "rapport"
    result = CliRunner().invoke(
        main, ["report", str(edition), "--out", str(out), "--theme", "dsfr"]
    )
    assert result.exit_code == 0, result.output
    assert f"Rapport écrit dans {out}" in result.output
    assert "datapackage.json" in result.output
    assert "#000091" in (out / "index.html").read_text(encoding="utf-8")
    assert (out / "resultats" / "estimates.csv").exists()
    assert not (out / "resultats" / "respondents.csv").exists()  # nothing individual is public


def test_an_ungrammatical_statement_is_refused_before_anything_is_written(
    editions, tmp_path: Path
) -> None:
    import shutil

    edition = tmp_path / "edition"
    shutil.copytree(editions["nouvelle-caledonie-services-publics"], edition)
    text = (edition / "questionnaire.yaml").read_text(encoding="utf-8")
    broken = text.replace(
        'statement: "ont formalisé une stratégie numérique"', 'statement: "Stratégie"'
    )
    assert broken != text
    (edition / "questionnaire.yaml").write_text(broken, encoding="utf-8")
    out = tmp_path / "rapport"
    result = CliRunner().invoke(main, ["report", str(edition), "--out", str(out)])
    assert result.exit_code != 0
    assert "questionnaire.yaml" in result.output and "ligne" in result.output
    assert "majuscule" in result.output  # the French reason, with its line
    assert not out.exists()
