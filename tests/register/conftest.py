"""Register test fixtures: the source tarball from the local npm cache, and empty workspaces."""

from __future__ import annotations

from pathlib import Path

import pytest

from barometre.register.package_source import PackageContents, cached_tarball, read_tarball


@pytest.fixture(scope="session")
def source_tarball(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The @etalab/decoupage-administratif 6.0.0 tarball from the npm cache (offline).

    Missing, the tests that compare the register with its source FAIL (`scripts/install-system`
    puts it in the cache): a broken source must not pass CI.
    """
    tarball = cached_tarball(tmp_path_factory.mktemp("npm"))
    if tarball is None:
        pytest.fail(
            "archive npm @etalab/decoupage-administratif@6.0.0 absente du cache npm local : "
            "`npm cache add @etalab/decoupage-administratif@6.0.0` (scripts/install-system)",
            pytrace=False,
        )
    return tarball


@pytest.fixture(scope="session")
def source_contents(source_tarball: Path) -> PackageContents:
    """The parsed tarball."""
    return read_tarball(source_tarball)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """An empty register workspace folder."""
    return tmp_path / "workspace"
