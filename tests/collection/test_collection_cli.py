"""`barometre serve`, `invite`, `export` end to end, in subprocesses on a fresh SQLite file."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(os.environ.get("DATABASE_URL")), reason="commands run on their own SQLite file"
    ),
]


def _run(*args: str, cwd: Path) -> str:
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
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _link(out: str) -> str:
    return out.split("/r/", 1)[1].split("/", 1)[0]


def test_serve_invite_export_round_trip(tmp_path):
    _run("demo", "demo", "--size", "40", "--seed", "7", "--sans-rapport", cwd=tmp_path)
    db = str(tmp_path / "base.sqlite3")
    out = _run(
        "serve", "--sans-serveur", "--db", db, "--dossier", "demo", "--port", "8111", cwd=tmp_path
    )
    assert "identifiant : admin" in out and "mot de passe : " in out
    assert "http://127.0.0.1:8111/r/" in out
    assert "Tableau de bord public : http://127.0.0.1:8111/tableau-de-bord/" in out
    # the respondent link is a trial link: no real collectivité's link is created or re-keyed
    again = _run("serve", "--sans-serveur", "--db", db, "--dossier", "demo", cwd=tmp_path)
    with sqlite3.connect(db) as con:
        campaigns = con.execute(
            "SELECT c.name, c.trial_of_id, COUNT(i.id) FROM collection_campaign c "
            "JOIN collection_target t ON t.campaign_id = c.id "
            "LEFT JOIN collection_invitation i ON i.target_id = t.id GROUP BY c.id ORDER BY c.id"
        ).fetchall()
    assert [(trial is not None, links) for _, trial, links in campaigns] == [(False, 0), (True, 1)]
    assert campaigns[1][0].startswith("Essai — ")
    # the DINUM demo runs its two waves one after the other, the last until the campaign closes
    with sqlite3.connect(db) as con:
        waves = con.execute(
            "SELECT w.code, w.opens_at, w.closes_at, c.closes_at FROM collection_wave w "
            "JOIN collection_campaign c ON c.id = w.campaign_id "
            "WHERE c.trial_of_id IS NULL ORDER BY w.id"
        ).fetchall()
    assert [w[0] for w in waves] == ["vague1", "vague2"]
    assert waves[0][1] < waves[0][2] < waves[1][1] < waves[1][2] == waves[1][3]
    assert _link(out) != _link(again) and "essai comme" in again
    listing = _run("invite", "--db", db, cwd=tmp_path)
    campaign = listing.split("\t", 1)[0]
    (tmp_path / "codes.txt").write_text("29019\n200067072\n", encoding="utf-8")
    out = _run(
        "invite",
        campaign,
        "--db",
        db,
        "--codes",
        "codes.txt",
        "--sortie",
        "liens.csv",
        cwd=tmp_path,
    )
    links = pl.read_csv(tmp_path / "liens.csv", separator=";", infer_schema=False)
    assert links.height >= 2 and links["lien"].str.contains("/r/").all()
    assert "29019" in links["code"].to_list()
    out = _run("export", campaign, "--db", db, "--sortie", "export", cwd=tmp_path)
    from barometre.edition.files import read_edition

    edition = read_edition(tmp_path / "export")
    source = pl.read_csv(tmp_path / "demo" / "responses.csv", infer_schema=False)
    assert edition.responses.height == source.height
    assert sorted(edition.responses["code"].to_list()) == sorted(source["code"].to_list())
    _run(
        "export", campaign, "--db", db, "--format", "parquet", "--sortie", "r.parquet", cwd=tmp_path
    )
    assert pl.read_parquet(tmp_path / "r.parquet").height == source.height
