"""Fixtures of the initiatives tests: the real register, the shipped corpus and its model."""

from __future__ import annotations

import polars as pl
import pytest

from barometre.initiatives.classifier import DomainClassifier, shipped_classifier
from barometre.initiatives.corpus import example_corpus
from barometre.initiatives.review import classify_corpus
from barometre.initiatives.taxonomy import Taxonomy, default_taxonomy
from barometre.register import Register, load_register


@pytest.fixture(scope="session")
def register() -> Register:
    """The official register (COG 2026)."""
    return load_register()


@pytest.fixture(scope="session")
def entities(register: Register) -> pl.DataFrame:
    """Register entities with strata (size classes)."""
    return register.with_strata()


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    """The shipped taxonomy."""
    return default_taxonomy()


@pytest.fixture(scope="session")
def corpus(register: Register) -> pl.DataFrame:
    """The shipped labelled example corpus."""
    return example_corpus(register)


@pytest.fixture(scope="session")
def model(tmp_path_factory: pytest.TempPathFactory) -> DomainClassifier:
    """The model trained on first use on the shipped corpus (cache file in a temporary folder)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("BAROMETRE_HOME", raising=False)
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
        return shipped_classifier()


@pytest.fixture(scope="session")
def classified(corpus: pl.DataFrame, model: DomainClassifier) -> pl.DataFrame:
    """The example corpus with predictions and final domains."""
    return classify_corpus(corpus, model)


@pytest.fixture(autouse=True)
def _private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep the shipped model's cache file out of the user's home during tests."""
    monkeypatch.delenv("BAROMETRE_HOME", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))
