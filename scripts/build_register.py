"""Build the committed register data from the `@etalab/decoupage-administratif` npm package.

Usage: `.venv/bin/python scripts/build_register.py [--tarball PATH]`. Without `--tarball`, runs
`npm pack @etalab/decoupage-administratif@6.0.0`; the tarball's name and version are verified, then
`barometre/register/data/{entities,epci_members}.parquet` and `SOURCE.json` are written.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import tarfile
import tempfile
from pathlib import Path

import click
import polars as pl

from barometre.register.frame import DATA_DIR, ENTITIES_FILE, MEMBERS_FILE, SOURCE_FILE
from barometre.register.official_frame import derive_entities, epci_members
from barometre.register.package_source import (
    COG_VINTAGE,
    PACKAGE_NAME,
    PACKAGE_VERSION,
    PackageContents,
    npm_pack,
    read_tarball,
)


def source_record(contents: PackageContents, entities: pl.DataFrame) -> dict:
    """Provenance and counts written to SOURCE.json."""
    by_kind = entities.group_by("kind").agg(pl.len().alias("n"), pl.col("population").sum())
    communes = [c for c in contents.data["communes"] if c["type"] == "commune-actuelle"]
    return {
        "package": contents.name,
        "version": contents.version,
        "cog_vintage": COG_VINTAGE,
        "licence": contents.licence,
        "url": f"https://www.npmjs.com/package/{contents.name}/v/{contents.version}",
        "integrity": contents.integrity,
        "shasum": contents.shasum,
        "build_date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "counts": {
            "source_commune_records": len(contents.data["communes"]),
            "source_current_communes": len(communes),
            "source_epci": len(contents.data["epci"]),
            "source_departements": len(contents.data["departements"]),
            "source_regions": len(contents.data["regions"]),
            "source_arrondissements_municipaux": sum(
                c["type"] == "arrondissement-municipal" for c in contents.data["communes"]
            ),
            "source_ept": len(contents.data["ept"]),
            "entities": dict(zip(by_kind["kind"], by_kind["n"], strict=True)),
        },
        "population": {
            "communes": sum(c.get("population", 0) for c in communes),
            "by_kind": dict(zip(by_kind["kind"], by_kind["population"], strict=True)),
        },
    }


def write_atomically(path: Path, write) -> None:
    """Write through a temporary file in the same folder, then rename it over `path`."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.close(handle)
    try:
        write(Path(temporary))
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def build(tarball: Path, data_dir: Path = DATA_DIR) -> dict:
    """Derive the register from `tarball` into `data_dir`; return the SOURCE.json record."""
    contents = read_tarball(tarball, expected_version=PACKAGE_VERSION)
    entities = derive_entities(contents.data)
    members = epci_members(contents.data).select("commune", "epci", "population")
    record = source_record(contents, entities)
    data_dir.mkdir(parents=True, exist_ok=True)
    options = {"compression": "zstd", "compression_level": 19, "statistics": False}
    write_atomically(data_dir / ENTITIES_FILE, lambda p: entities.write_parquet(p, **options))
    write_atomically(data_dir / MEMBERS_FILE, lambda p: members.write_parquet(p, **options))
    text = json.dumps(record, ensure_ascii=False, indent=2) + "\n"
    write_atomically(data_dir / SOURCE_FILE, lambda p: p.write_text(text, encoding="utf-8"))
    return record


@click.command()
@click.option(
    "--tarball",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help=f"Archive {PACKAGE_NAME}-{PACKAGE_VERSION}.tgz déjà téléchargée (sinon : npm pack).",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DATA_DIR,
    show_default=True,
    help="Dossier de sortie des données dérivées.",
)
def main(tarball: Path | None, data_dir: Path) -> None:
    """Construit le registre officiel (COG 2026) à partir du paquet npm de découpage administratif."""
    with tempfile.TemporaryDirectory(prefix="barometre-npm-") as work:
        try:
            path = tarball or npm_pack(Path(work))
            record = build(path, data_dir)
        except (OSError, tarfile.TarError, subprocess.CalledProcessError, ValueError) as exc:
            detail = getattr(exc, "stderr", None) or exc
            raise click.ClickException(f"construction impossible : {detail}") from exc
    click.echo(f"Registre construit depuis {record['package']}@{record['version']} dans {data_dir}")
    for kind, n in record["counts"]["entities"].items():
        click.echo(f"  {kind} : {n}")


if __name__ == "__main__":
    main()
