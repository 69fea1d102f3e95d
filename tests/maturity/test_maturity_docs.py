"""Every `barometre maturity` subcommand and option is described in docs/maturity.md."""

from __future__ import annotations

from pathlib import Path

import click

from barometre.cli.maturity_cmd import command

DOC = Path(__file__).resolve().parents[2] / "docs" / "maturity.md"


def test_every_subcommand_and_option_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert isinstance(command, click.Group)
    missing = []
    for name, sub in command.commands.items():
        if f"barometre maturity {name}" not in text:
            missing.append(name)
        for param in sub.params:
            if not isinstance(param, click.Option):
                continue
            for flag in [*param.opts, *param.secondary_opts]:
                if (
                    flag not in ("-h", "--help")
                    and f"`{flag}" not in text
                    and f"/{flag}" not in text
                ):
                    missing.append(f"{name} {flag}")
    assert not missing, f"non documentés : {missing}"
