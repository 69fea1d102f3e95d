"""The register workspace: a folder holding imported custom frames and attribute tables."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl

Section = Literal["frames", "attributes"]
SECTIONS: tuple[Section, ...] = ("frames", "attributes")
HOME_VARIABLE = "BAROMETRE_HOME"


def default_workspace() -> Path:
    """`$BAROMETRE_HOME/register`, else `$XDG_DATA_HOME/barometre/register` (~/.local/share)."""
    home = os.environ.get(HOME_VARIABLE)
    if home:
        return Path(home).expanduser() / "register"
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data_home) / "barometre" / "register"


@dataclass(frozen=True)
class StoredTable:
    """One imported table as stored in the workspace."""

    section: Section
    name: str
    path: Path
    metadata: dict[str, str]

    def read(self) -> pl.DataFrame:
        """Load the table."""
        return pl.read_parquet(self.path)


@dataclass(frozen=True)
class Workspace:
    """A register workspace folder: `frames/<name>.parquet` and `attributes/<name>.parquet`."""

    path: Path

    @classmethod
    def at(cls, path: Path | str | None = None) -> Workspace:
        """The workspace at `path`, or the default one."""
        return cls(Path(path).expanduser() if path is not None else default_workspace())

    def tables(self, section: Section) -> list[StoredTable]:
        """Stored tables of one section, sorted by name."""
        folder = self.path / section
        if not folder.is_dir():
            return []
        return [
            StoredTable(section, file.stem, file, pl.read_parquet_metadata(file))
            for file in sorted(folder.glob("*.parquet"))
        ]

    def fingerprint(self) -> tuple[tuple[str, int, int], ...]:
        """Names, sizes and modification times of stored tables (for caching merged registers)."""
        return tuple(
            (f"{t.section}/{t.name}", t.path.stat().st_size, t.path.stat().st_mtime_ns)
            for section in SECTIONS
            for t in self.tables(section)
        )

    def store(
        self, section: Section, name: str, table: pl.DataFrame, metadata: dict[str, str]
    ) -> Path:
        """Write a table atomically (temporary file, then `os.replace`)."""
        folder = self.path / section
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{name}.parquet"
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
        os.close(handle)
        try:
            table.write_parquet(temporary, compression="zstd", metadata=metadata)
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        return target

    def remove(self, section: Section, name: str) -> bool:
        """Delete a stored table; return whether it existed."""
        target = self.path / section / f"{name}.parquet"
        if not target.exists():
            return False
        target.unlink()
        return True
