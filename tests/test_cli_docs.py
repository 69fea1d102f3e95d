"""Every subcommand of `barometre` is documented in the README and answers `--help` in French."""

from __future__ import annotations

from pathlib import Path

import click
from click.testing import CliRunner

from barometre.cli import SUBCOMMANDS, main

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _walk(group: click.Group, ctx: click.Context, prefix: list[str]):
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield [*prefix, name], command
        if isinstance(command, click.Group):
            yield from _walk(command, click.Context(command, parent=ctx), [*prefix, name])


def test_every_subcommand_is_built_and_in_the_readme() -> None:
    ctx = click.Context(main)
    assert main.list_commands(ctx) == sorted(SUBCOMMANDS)
    for name in SUBCOMMANDS:
        assert f"`barometre {name}" in README, f"README: la commande « {name} » n'est pas décrite"


def test_help_of_every_command_is_french() -> None:
    runner = CliRunner()
    commands = list(_walk(main, click.Context(main), []))
    assert len(commands) > len(SUBCOMMANDS)
    for path, _command in commands:
        result = runner.invoke(main, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Utilisation :" in result.output, path
        assert "Show this message" not in result.output, path


def test_unknown_command_error_is_french() -> None:
    result = CliRunner().invoke(main, ["inconnue"])
    assert result.exit_code == 2
    assert "Commande inconnue" in result.output
