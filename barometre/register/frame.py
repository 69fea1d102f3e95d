"""The register object: official entities (COG 2026) merged with the workspace's custom frames."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl

from barometre.register.workspace import Workspace

DATA_DIR = Path(__file__).resolve().parent / "data"
ENTITIES_FILE = "entities.parquet"
MEMBERS_FILE = "epci_members.parquet"
SOURCE_FILE = "SOURCE.json"
OFFICIAL_KINDS = ("commune", "epci", "departement", "region", "com")


@dataclass(frozen=True, eq=False)
class Register:
    """The sampling frame: one row per entity in `entities` (columns of docs/contracts.md)."""

    entities: pl.DataFrame
    vintage: str
    source: Mapping[str, Any]
    source_members: pl.DataFrame = field(repr=False)
    imported_frames: tuple[str, ...] = ()
    imported_attributes: tuple[str, ...] = ()
    workspace: Path | None = None

    @property
    def epci_members(self) -> pl.DataFrame:
        """Members table: commune `code` → `epci` SIREN."""
        return self.entities.filter(pl.col("epci").is_not_null()).select("code", "epci")

    @property
    def kinds(self) -> list[str]:
        """Kinds present in the register, official kinds first."""
        present = self.entities.get_column("kind").unique().to_list()
        return [k for k in OFFICIAL_KINDS if k in present] + sorted(
            k for k in present if k not in OFFICIAL_KINDS
        )

    def __len__(self) -> int:
        return self.entities.height

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self.get(code) is not None

    def of_kind(self, *kinds: str) -> pl.DataFrame:
        """Entities of the given kinds."""
        return self.entities.filter(pl.col("kind").is_in(kinds))

    def get(self, code: str) -> dict[str, Any] | None:
        """One entity as a dict, by register code or SIREN; None when unknown."""
        rows = self.entities.filter((pl.col("code") == code) | (pl.col("siren") == code))
        if rows.height == 0:
            return None
        exact = rows.filter(pl.col("code") == code)
        return (exact if exact.height else rows).row(0, named=True)

    def resolve(self, keys: Sequence[str] | pl.Series) -> pl.Series:
        """Map codes or SIRENs to register codes (null where unknown), vectorised, order kept."""
        lookup = pl.concat(
            [
                self.entities.select(pl.col("code").alias("key"), "code", pl.lit(0).alias("rank")),
                self.entities.filter(pl.col("siren").is_not_null()).select(
                    pl.col("siren").alias("key"), "code", pl.lit(1).alias("rank")
                ),
            ]
        )
        lookup = lookup.sort("rank").unique("key", keep="first")
        frame = pl.DataFrame({"key": pl.Series(keys, dtype=pl.String)})
        return frame.join(lookup, on="key", how="left", maintain_order="left").get_column("code")

    def lookup(self, codes: Iterable[str]) -> pl.DataFrame:
        """Entities for the given codes, in the given order (null rows for unknown codes)."""
        frame = pl.DataFrame({"code": pl.Series(list(codes), dtype=pl.String)})
        return frame.join(self.entities, on="code", how="left", maintain_order="left")

    def members_of(self, epci: str) -> pl.DataFrame:
        """Member communes of an EPCI (by SIREN)."""
        return self.entities.filter(pl.col("epci") == epci)

    def search(self, text: str, kind: str | None = None, limit: int = 20) -> pl.DataFrame:
        """Entities whose name contains `text`, ignoring case and accents."""
        needle = _fold(text)
        names = self.entities.get_column("name")
        folded = names.str.normalize("NFKD").str.replace_all(r"\p{Mn}", "").str.to_lowercase()
        rank = (
            pl.when(pl.col("folded") == needle)
            .then(0)
            .when(pl.col("folded").str.starts_with(needle))
            .then(1)
            .otherwise(2)
        )
        found = (
            self.entities.with_columns(folded.alias("folded"))
            .filter(pl.col("folded").str.contains(needle, literal=True))
            .sort(rank, pl.col("population"), descending=[False, True], nulls_last=True)
            .drop("folded")
        )
        if kind is not None:
            found = found.filter(pl.col("kind") == kind)
        return found.head(limit)

    def with_strata(self, classes: Any = None) -> pl.DataFrame:
        """Entities with the strata columns (`kind_detail`, `size_class`)."""
        from barometre.register.strata import add_strata

        return add_strata(self.entities, classes)


def _fold(text: str) -> str:
    """Lower-case, accent-free form of a string for searching."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=1)
def _official(data_dir: Path = DATA_DIR) -> Register:
    """The official register as committed in `barometre/register/data`."""
    source = json.loads((data_dir / SOURCE_FILE).read_text(encoding="utf-8"))
    return Register(
        entities=pl.read_parquet(data_dir / ENTITIES_FILE),
        vintage=source["cog_vintage"],
        source=source,
        source_members=pl.read_parquet(data_dir / MEMBERS_FILE),
    )


@lru_cache(maxsize=8)
def _merged(path: Path, fingerprint: tuple[tuple[str, int, int], ...]) -> Register:
    """The official register merged with the custom frames and attributes stored at `path`."""
    official = _official()
    workspace = Workspace(path)
    frames = workspace.tables("frames")
    attributes = workspace.tables("attributes")
    entities = pl.concat(
        [official.entities, *(table.read() for table in frames)], how="diagonal_relaxed"
    )
    for table in attributes:
        values = table.read()
        clashing = [c for c in values.columns if c != "code" and c in entities.columns]
        entities = entities.drop(clashing).join(
            values, on="code", how="left", maintain_order="left"
        )
    return Register(
        entities=entities,
        vintage=official.vintage,
        source=official.source,
        source_members=official.source_members,
        imported_frames=tuple(t.name for t in frames),
        imported_attributes=tuple(t.name for t in attributes),
        workspace=path,
    )


def load_register(workspace: Path | str | Workspace | None = None) -> Register:
    """Load the register (cached); with a workspace, merge its custom frames and attributes."""
    if workspace is None:
        return _official()
    space = workspace if isinstance(workspace, Workspace) else Workspace.at(workspace)
    fingerprint = space.fingerprint()
    if not fingerprint:
        return _official()
    return _merged(space.path, fingerprint)
