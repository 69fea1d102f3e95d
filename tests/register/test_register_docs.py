"""docs/register.md describes every `barometre register` subcommand and option."""

from __future__ import annotations

from pathlib import Path

import click

from barometre.cli.register_cmd import command

DOC = Path(__file__).resolve().parents[2] / "docs" / "register.md"


def test_every_subcommand_and_option_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert isinstance(command, click.Group)
    for name, sub in command.commands.items():
        assert f"barometre register {name}" in text, name
        for param in sub.params:
            if isinstance(param, click.Option):
                for option in param.opts:
                    assert option in text, f"{name} {option}"


def test_documented_rejection_example_is_the_real_output(tmp_path, monkeypatch) -> None:
    from click.testing import CliRunner

    from barometre.cli import main

    monkeypatch.setenv("BAROMETRE_HOME", str(tmp_path / "home"))
    bad = tmp_path / "mauvais.csv"
    bad.write_text("code;nom;population\n01001;Doublon;12\nSYN-2;Syndicat;abc\n", encoding="utf-8")
    args = ["register", "import", str(bad), "--as", "frame", "--kind", "syndicat"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    text = DOC.read_text(encoding="utf-8")
    for line in result.output.splitlines():
        assert line in text, line
