"""Fixtures of the publication tests: demo editions of the seed templates, analysed once."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from barometre.cli import main

DINUM = "dinum-collectivites-numerique-2024"
EY = "ey-france-urbaine-maturite"
JVS = "jvs-petites-communes-dematerialisation"
NC = "nouvelle-caledonie-services-publics"
SIZES = {DINUM: 600, EY: 39, JVS: 400, NC: 34}


def demo_edition(folder: Path, template: str, size: int, seed: int = 2024) -> Path:
    """A demo edition written by `barometre demo` (real register, simulated answers)."""
    result = CliRunner().invoke(
        main,
        [
            "demo",
            str(folder),
            "--template",
            template,
            "--size",
            str(size),
            "--seed",
            str(seed),
            "--sans-rapport",
        ],
    )
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture(scope="session")
def make_demo():
    """`demo_edition(folder, template, size, seed)` for tests that need their own edition."""
    return demo_edition


@pytest.fixture(scope="session")
def editions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One small demo edition per seed template."""
    root = tmp_path_factory.mktemp("editions")
    return {name: demo_edition(root / name, name, size) for name, size in SIZES.items()}


@pytest.fixture(scope="session")
def dinum_report(editions, tmp_path_factory: pytest.TempPathFactory):
    """The DINUM demo report built once (site, PDF, open data with microdata)."""
    from barometre.publish.report import build_report

    out = tmp_path_factory.mktemp("report") / "rapport"
    return build_report(editions[DINUM], out, pdf=True, microdata=True)


@pytest.fixture(scope="session")
def ey_results(editions):
    """Results of the EY demo edition (maturity items)."""
    from barometre.results.store import compute_results

    return compute_results(editions[EY])
