"""`barometre import` end to end in subprocesses: a LimeSurvey export with full texts into an edition
folder (then `barometre analyse`), a proposed questionnaire, and into a campaign of a SQLite base."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from barometre.edition.files import read_edition

pytestmark = pytest.mark.slow

DATA = Path(__file__).resolve().parent / "data" / "limesurvey"
EXPORT = DATA / "export_textes_textes.csv"
STRUCTURE = DATA / "barometre_bretagne_ls6.lss"
ID_TEXT = "Numéro SIRET ou SIREN de votre collectivité"
NAME_TEXT = "Nom de votre collectivité"


def run(*args: str, cwd: Path, code: int = 0) -> str:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    result = subprocess.run(
        [sys.executable, "-m", "barometre", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == code, result.stdout + result.stderr
    return result.stdout + result.stderr


def import_args(*extra: str) -> list[str]:
    return [
        "import",
        str(EXPORT),
        "--colonne-code",
        ID_TEXT,
        "--colonne-nom",
        NAME_TEXT,
        *extra,
    ]


def test_folder_import_all_or_nothing_then_analyse(tmp_path):
    folder = tmp_path / "bretagne"
    out = run(
        *import_args("--structure", str(STRUCTURE), "--dossier", str(folder), "--hors-base"),
        cwd=tmp_path,
        code=1,
    )
    assert "aucune réponse importée (l'import est tout ou rien)" in out
    assert "ligne 6, colonne « Numéro SIRET ou SIREN de votre collectivité » : « Département" in out
    assert "candidats : Finistère (departement, D29)" in out
    assert not folder.exists()
    out = run(
        *import_args(
            "--structure",
            str(STRUCTURE),
            "--dossier",
            str(folder),
            "--hors-base",
            "--confirmer",
            "6=D29",
        ),
        cwd=tmp_path,
    )
    assert "8 réponse(s) importée(s)" in out and "SIRET ramené au SIREN" in out
    edition = read_edition(folder)
    assert edition.responses.height == 7 and edition.out_of_frame.height == 1
    assert edition.out_of_frame["respondent_name"].to_list() == ["SDIS du Finistère"]
    again = run(
        *import_args("--dossier", str(folder), "--hors-base", "--confirmer", "6=D29"),
        cwd=tmp_path,
        code=1,
    )
    assert "la collectivité 29019 a déjà répondu" in again
    assert pl.read_csv(folder / "responses.csv", infer_schema=False).height == 8
    kept = run(
        *import_args(
            "--dossier",
            str(folder),
            "--hors-base",
            "--confirmer",
            "6=D29",
            "--si-deja-repondu",
            "conserver",
        ),
        cwd=tmp_path,
    )
    assert "0 réponse(s) importée(s), 8 ligne(s) ignorée(s)" in kept
    out = run("analyse", str(folder), "-o", str(tmp_path / "r.csv"), cwd=tmp_path)
    assert "7 répondants" in out
    assert "1 répondant(s) hors base de sondage gardé(s) à part" in out


def test_proposed_questionnaire_then_import(tmp_path):
    proposed = tmp_path / "propose.yaml"
    out = run(
        "import", str(EXPORT), "--colonne-code", ID_TEXT, "--proposer", str(proposed), cwd=tmp_path
    )
    assert "Questionnaire proposé (14 questions)" in out
    assert proposed.read_text(encoding="utf-8").startswith("# Questionnaire proposé")
    out = run(
        *import_args(
            "--questionnaire",
            str(proposed),
            "--dossier",
            str(tmp_path / "ed"),
            "--hors-base",
            "--confirmer",
            "6=D29",
        ),
        cwd=tmp_path,
    )
    assert "8 réponse(s) importée(s)" in out and "0 inconnue(s)" in out


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="its own SQLite file")
def test_campaign_import_from_the_command_line(tmp_path):
    folder = tmp_path / "ed"
    run(
        *import_args(
            "--structure",
            str(STRUCTURE),
            "--dossier",
            str(folder),
            "--hors-base",
            "--confirmer",
            "6=D29",
        ),
        cwd=tmp_path,
    )
    db = str(tmp_path / "base.sqlite3")
    run(
        "serve",
        "--sans-serveur",
        "--db",
        db,
        "--dossier",
        str(folder),
        "--port",
        "8211",
        cwd=tmp_path,
    )
    refused = run(
        *import_args("--campagne", "1", "--db", db, "--hors-base", "--confirmer", "6=D29"),
        cwd=tmp_path,
        code=1,
    )
    assert "a déjà répondu" in refused
    out = run(
        *import_args(
            "--campagne",
            "1",
            "--db",
            db,
            "--hors-base",
            "--confirmer",
            "6=D29",
            "--si-deja-repondu",
            "remplacer",
        ),
        cwd=tmp_path,
    )
    assert "8 réponse(s) importée(s)" in out and "remplace la réponse existante" in out
    run("export", "1", "--db", db, "--sortie", str(tmp_path / "export"), cwd=tmp_path)
    exported = pl.read_csv(tmp_path / "export" / "responses.csv", infer_schema=False)
    assert exported.height == 8
    outside = exported.filter(pl.col("out_of_frame") == "1")
    assert outside["code"].to_list() == ["HB:282900018"]
    assert outside["respondent_name"].to_list() == ["SDIS du Finistère"]
