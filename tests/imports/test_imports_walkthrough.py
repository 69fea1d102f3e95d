"""The walk-through of docs/imports.md runs as written: a LimeSurvey export with full texts, imported
with its .lss structure (names confirmed, outsiders kept apart), estimated and published."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "imports.md").read_text(encoding="utf-8")


def commands() -> list[str]:
    """The shell blocks of the walk-through section, in order."""
    section = DOC.split("## Parcours", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.*?)```", section, flags=re.S)


def shell(command: str, cwd: Path, code: int = 0) -> str:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    result = subprocess.run(
        ["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == code, result.stdout + result.stderr
    return result.stdout + result.stderr


def test_walkthrough_from_a_limesurvey_export_to_a_weighted_report(tmp_path):
    (tmp_path / "docs").symlink_to(ROOT / "docs")
    first, second, estimate, publish = commands()[:4]
    out = shell(first, tmp_path, code=1)
    assert "Refus (7) :" in out and "aucune réponse importée" in out
    assert "ligne 27, colonne « Numéro SIRET ou SIREN de votre collectivité » : « Bretagne »" in out
    assert "Pas-de-Calais (departement, D62)" in out
    assert not (tmp_path / "edition-2026").exists()
    out = shell(second, tmp_path)
    assert "185 ligne(s) lue(s), 185 réponse(s) importée(s)." in out
    assert "17 utilisée(s) pour des questions, 3 de métadonnées, 7 ignorée(s), 0 inconnue(s)" in out
    for line in (
        DOC.split("Identifiants reconnus autrement", 1)[1].split("…", 1)[0].splitlines()[1:]
    ):
        assert line in out, line
    assert "ligne 27 : « Bretagne » → R53 (nom confirmé par l'opérateur)" in out
    assert out.count("gardé hors base de sondage") == 20
    out = shell(estimate.split("#")[0], tmp_path)
    assert "165 répondants" in out and "20 répondant(s) hors base de sondage" in out
    shell(publish, tmp_path)
    method = (tmp_path / "rapport" / "methodologie.html").read_text(encoding="utf-8")
    assert "Répondants hors base de sondage : 20" in method
    assert "Répondants retenus : 165" in method
