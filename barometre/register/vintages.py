"""Older vintages of the official register, imported into the workspace on demand.

The package ships the COG 2026 register. A survey of an earlier year may describe the population
of its own year: `barometre register vintage import 2024` fetches the version of
`@etalab/decoupage-administratif` that holds that vintage (table of the package's README), derives
the same tables as the shipped register and stores them in `vintages/<year>/` of the workspace;
`load_vintage(year)` reads them back as a `Register` (official entities only).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import polars as pl

from barometre.register.frame import ENTITIES_FILE, MEMBERS_FILE, SOURCE_FILE, Register
from barometre.register.official_frame import derive_entities, epci_members
from barometre.register.package_source import PACKAGE_NAME, npm_pack, read_tarball
from barometre.register.workspace import Workspace

VINTAGES_FOLDER = "vintages"
# COG vintage → package version, from the « Millésimes et versions de package » table of the
# package's README (versions before 3.1.1 use other data layouts and are not supported)
VINTAGE_VERSIONS = {"2023": "3.1.1", "2024": "4.1.0", "2025": "5.0.0"}


class VintageError(ValueError):
    """A vintage that cannot be imported or read; the message is in French."""


def _workspace(workspace: Path | str | Workspace | None) -> Workspace:
    """The workspace given, or the default one."""
    return workspace if isinstance(workspace, Workspace) else Workspace.at(workspace)


def vintage_folder(year: str, workspace: Path | str | Workspace | None = None) -> Path:
    """Where a vintage is stored in the workspace."""
    return _workspace(workspace).path / VINTAGES_FOLDER / str(year)


def imported_vintages(workspace: Path | str | Workspace | None = None) -> list[str]:
    """The vintages imported into the workspace, oldest first."""
    root = _workspace(workspace).path / VINTAGES_FOLDER
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / SOURCE_FILE).is_file())


def _version(year: str) -> str:
    """The package version holding a vintage (French error listing the supported ones)."""
    try:
        return VINTAGE_VERSIONS[str(year)]
    except KeyError:
        raise VintageError(
            f"Millésime « {year} » non pris en charge : millésimes importables "
            f"{', '.join(VINTAGE_VERSIONS)} (le registre livré est celui de 2026)."
        ) from None


def import_vintage(
    year: str,
    tarball: Path | None = None,
    workspace: Path | str | Workspace | None = None,
) -> dict:
    """Fetch (or read `tarball`), derive and store a vintage; returns its source record.

    The folder is written in a temporary sibling and renamed into place: a failure leaves the
    workspace as it was.
    """
    year = str(year)
    version = _version(year)
    target = vintage_folder(year, workspace)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="barometre-npm-") as work:
        try:
            path = tarball or npm_pack(Path(work), version)
            contents = read_tarball(path, expected_version=version)
        except FileNotFoundError as error:
            raise VintageError(str(error)) from None
        except subprocess.CalledProcessError as error:
            raise VintageError(
                f"Téléchargement de {PACKAGE_NAME}@{version} impossible : "
                f"{(error.stderr or '').strip()[:300]}"
            ) from None
        except (OSError, tarfile.TarError, ValueError, KeyError) as error:
            raise VintageError(f"Archive de {PACKAGE_NAME}@{version} illisible : {error}") from None
    entities = derive_entities(contents.data)
    members = epci_members(contents.data).select("commune", "epci", "population")
    record = {
        "package": contents.name,
        "version": contents.version,
        "cog_vintage": year,
        "licence": contents.licence,
        "url": f"https://www.npmjs.com/package/{contents.name}/v/{contents.version}",
        "integrity": contents.integrity,
        "shasum": contents.shasum,
        "build_date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "counts": dict(entities.group_by("kind").len().iter_rows()),
    }
    staging = Path(tempfile.mkdtemp(prefix=f".{year}.", dir=target.parent))
    try:
        options = {"compression": "zstd", "compression_level": 19, "statistics": False}
        entities.write_parquet(staging / ENTITIES_FILE, **options)
        members.write_parquet(staging / MEMBERS_FILE, **options)
        (staging / SOURCE_FILE).write_text(
            json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        os.chmod(staging, 0o755)
        if target.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{year}.old.", dir=target.parent))
            os.replace(target, retired / year)
            os.replace(staging, target)
            shutil.rmtree(retired)
        else:
            os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return record


def load_vintage(year: str, workspace: Path | str | Workspace | None = None) -> Register:
    """The register of an imported vintage (French error when it has not been imported)."""
    folder = vintage_folder(str(year), workspace)
    if not (folder / SOURCE_FILE).is_file():
        raise VintageError(
            f"Millésime {year} du registre non importé dans {folder.parent} : lancez "
            f"« barometre register vintage import {year} »."
        )
    source = json.loads((folder / SOURCE_FILE).read_text(encoding="utf-8"))
    return Register(
        entities=pl.read_parquet(folder / ENTITIES_FILE),
        vintage=str(source["cog_vintage"]),
        source=source,
        source_members=pl.read_parquet(folder / MEMBERS_FILE),
        workspace=folder.parent.parent,
    )
