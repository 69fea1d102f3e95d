"""The files beside the repository (`../shared/`): seed documents, external XLSForms.

They are read by tests but never copied into the repository. A missing file FAILS the test that
needs it (never a silent skip): a broken path must not pass CI. The folder is `../shared` from the
repository root; from a git worktree, `../shared` beside the main checkout; `BAROMETRE_SHARED_DIR`
overrides both.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]
SHARED_ENV = "BAROMETRE_SHARED_DIR"


def _main_checkout(root: Path) -> Path | None:
    """The main checkout of a git worktree (`.git` is then a file naming the worktree's git dir)."""
    marker = root / ".git"
    if not marker.is_file():
        return None
    text = marker.read_text(encoding="utf-8").strip()
    if not text.startswith("gitdir:"):
        return None
    worktree_git = (root / text.removeprefix("gitdir:").strip()).resolve()
    common = worktree_git / "commondir"
    if not common.is_file():
        return None
    git_dir = (worktree_git / common.read_text(encoding="utf-8").strip()).resolve()
    return git_dir.parent


def shared_dir() -> Path:
    """The shared folder (it may be missing: `shared_path` then fails the test)."""
    if os.environ.get(SHARED_ENV):
        return Path(os.environ[SHARED_ENV])
    beside = REPOSITORY.parent / "shared"
    if beside.is_dir():
        return beside
    main = _main_checkout(REPOSITORY)
    if main is not None and (main.parent / "shared").is_dir():
        return main.parent / "shared"
    return beside


def shared_path(*parts: str) -> Path:
    """A file or folder of the shared folder; fails the calling test when it is missing."""
    path = shared_dir().joinpath(*parts)
    if not path.exists():
        pytest.fail(
            f"fichier partagé absent : {path} (dossier ../shared à côté du dépôt, ou "
            f"${SHARED_ENV}) — ce test ne doit pas passer sans lui",
            pytrace=False,
        )
    return path


def shared_glob(folder: str, pattern: str) -> list[Path]:
    """Files of a shared folder matching `pattern`; fails the calling test when none does."""
    found = sorted(shared_path(folder).glob(pattern))
    if not found:
        pytest.fail(f"aucun fichier « {pattern} » dans {shared_dir() / folder}", pytrace=False)
    return found
