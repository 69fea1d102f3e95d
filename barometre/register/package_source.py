"""Read the `@etalab/decoupage-administratif` npm tarball: version, integrity and data files."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PACKAGE_NAME = "@etalab/decoupage-administratif"
PACKAGE_VERSION = "6.0.0"
COG_VINTAGE = "2026"
PACKAGE_LICENCE = "MIT"
DATA_FILES = ("communes", "epci", "departements", "regions", "arrondissements", "ept")


@dataclass(frozen=True)
class PackageContents:
    """The parsed content of one tarball of the source package."""

    name: str
    version: str
    licence: str
    integrity: str
    shasum: str
    data: dict[str, list[dict[str, Any]]]


def tarball_integrity(path: Path) -> tuple[str, str]:
    """Return the npm-style `sha512-…` integrity string and the sha1 shasum of a tarball."""
    content = path.read_bytes()
    sha512 = base64.b64encode(hashlib.sha512(content).digest()).decode("ascii")
    return f"sha512-{sha512}", hashlib.sha1(content).hexdigest()


def read_tarball(path: Path, expected_version: str | None = PACKAGE_VERSION) -> PackageContents:
    """Parse the tarball; raise ValueError if it is not the expected package and version."""
    with tarfile.open(path, "r:gz") as archive:

        def member_json(name: str) -> Any:
            handle = archive.extractfile(f"package/{name}")
            if handle is None:
                raise ValueError(f"{name} absent de l'archive {path}")
            return json.load(handle)

        manifest = member_json("package.json")
        if manifest.get("name") != PACKAGE_NAME:
            raise ValueError(
                f"paquet inattendu : {manifest.get('name')!r} au lieu de {PACKAGE_NAME}"
            )
        if expected_version is not None and manifest.get("version") != expected_version:
            raise ValueError(
                f"version inattendue : {manifest.get('version')!r} au lieu de {expected_version}"
            )
        data = {name: member_json(f"data/{name}.json") for name in DATA_FILES}
    integrity, shasum = tarball_integrity(path)
    return PackageContents(
        name=manifest["name"],
        version=manifest["version"],
        licence=manifest.get("license", ""),
        integrity=integrity,
        shasum=shasum,
        data=data,
    )


def npm_pack(destination: Path, version: str = PACKAGE_VERSION, offline: bool = False) -> Path:
    """Fetch the package tarball with `npm pack` into `destination` and return its path."""
    npm = shutil.which("npm")
    if npm is None:
        raise FileNotFoundError("npm est introuvable : installez Node.js ou passez une archive.")
    command = [npm, "pack", "--json", "--pack-destination", str(destination)]
    if offline:
        command.append("--offline")
    command.append(f"{PACKAGE_NAME}@{version}")
    result = subprocess.run(command, capture_output=True, text=True, check=True, timeout=300)
    filename = json.loads(result.stdout)[0]["filename"]
    return destination / filename


def cached_tarball(work_dir: Path | None = None) -> Path | None:
    """Return the source tarball from the local npm cache (no network), or None if unavailable."""
    destination = Path(work_dir or tempfile.mkdtemp(prefix="barometre-npm-"))
    try:
        return npm_pack(destination, offline=True)
    except (FileNotFoundError, subprocess.SubprocessError, ValueError, KeyError, IndexError):
        return None
