"""scripts/build_register.py rebuilds the committed data from the npm tarball and checks the version."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path

import polars as pl
import pytest

from barometre.register.frame import DATA_DIR, ENTITIES_FILE, MEMBERS_FILE, SOURCE_FILE
from barometre.register.package_source import read_tarball, tarball_integrity

ROOT = Path(__file__).resolve().parents[2]


def test_build_reproduces_the_committed_data(source_tarball: Path, tmp_path: Path) -> None:
    out = tmp_path / "data"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "build_register.py"),
            "--tarball",
            str(source_tarball),
            "--data-dir",
            str(out),
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    for name in (ENTITIES_FILE, MEMBERS_FILE):
        assert pl.read_parquet(out / name).equals(pl.read_parquet(DATA_DIR / name)), name
    built = json.loads((out / SOURCE_FILE).read_text(encoding="utf-8"))
    committed = json.loads((DATA_DIR / SOURCE_FILE).read_text(encoding="utf-8"))
    built.pop("build_date"), committed.pop("build_date")
    assert built == committed
    assert committed["integrity"] == tarball_integrity(source_tarball)[0]
    size = sum(p.stat().st_size for p in DATA_DIR.iterdir())
    assert size < 3_000_000


def test_wrong_package_or_version_is_refused(tmp_path: Path) -> None:
    for manifest, message in (
        ({"name": "@etalab/decoupage-administratif", "version": "5.9.9"}, "version inattendue"),
        ({"name": "autre-paquet", "version": "6.0.0"}, "paquet inattendu"),
    ):
        folder = tmp_path / "package"
        folder.mkdir(exist_ok=True)
        (folder / "package.json").write_text(json.dumps(manifest), encoding="utf-8")
        forged = tmp_path / "forged.tgz"
        with tarfile.open(forged, "w:gz") as archive:
            archive.add(folder, arcname="package")
        with pytest.raises(ValueError, match=message):
            read_tarball(forged)
