"""docs/demo.md describes the `barometre demo` command, every option, and every seed template."""

from __future__ import annotations

from pathlib import Path

import click

from barometre.cli.demo_cmd import command
from barometre.edition.figures import FIGURES_SUFFIX, TEMPLATES_DIR
from barometre.questionnaire.templates_catalogue import list_templates

DOC = Path(__file__).resolve().parents[2] / "docs" / "demo.md"


def test_every_option_and_argument_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert "barometre demo" in text
    for parameter in command.params:
        if isinstance(parameter, click.Option):
            for flag in parameter.opts:
                assert f"`{flag}" in text or f" {flag}" in text, flag
        else:
            assert parameter.human_readable_name in text


def test_every_seed_template_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    seeds = [
        name for name in list_templates() if (TEMPLATES_DIR / f"{name}{FIGURES_SUFFIX}").exists()
    ]
    assert len(seeds) >= 4
    for name in seeds:
        assert f"`{name}`" in text, name
