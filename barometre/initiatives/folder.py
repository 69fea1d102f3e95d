"""Where an edition keeps its initiatives: corpus, corrections, model and optional taxonomy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from barometre.initiatives.classifier import DomainClassifier, load_classifier, shipped_classifier
from barometre.initiatives.corpus import read_corpus
from barometre.initiatives.taxonomy import Taxonomy, default_taxonomy, load_taxonomy
from barometre.register import Register

SUBFOLDER = "initiatives"


@dataclass(frozen=True)
class InitiativesFolder:
    """The `initiatives/` folder of an edition (or any folder given by the operator)."""

    path: Path

    @classmethod
    def of_edition(cls, edition_folder: Path | str) -> InitiativesFolder:
        """The initiatives folder inside an edition folder."""
        return cls(Path(edition_folder) / SUBFOLDER)

    @property
    def corpus_file(self) -> Path:
        """Validated corpus (written by `barometre initiatives import`)."""
        return self.path / "corpus.csv"

    @property
    def corrections_file(self) -> Path:
        """Operator's corrections from the review queue."""
        return self.path / "corrections.csv"

    @property
    def model_file(self) -> Path:
        """Model trained on this corpus (written by `barometre initiatives train`)."""
        return self.path / "modele.joblib"

    @property
    def taxonomy_file(self) -> Path:
        """Operator's taxonomy; the shipped default applies when absent."""
        return self.path / "taxonomie.yaml"

    def has_corpus(self) -> bool:
        """True when a corpus has been imported."""
        return self.corpus_file.exists()

    def taxonomy(self) -> Taxonomy:
        """The folder's taxonomy, or the default one."""
        return (
            load_taxonomy(self.taxonomy_file) if self.taxonomy_file.exists() else default_taxonomy()
        )

    def corpus(self, register: Register | None = None) -> pl.DataFrame:
        """The imported corpus (validated again on reading)."""
        return read_corpus(self.corpus_file, register, self.taxonomy())

    def classifier(self) -> DomainClassifier:
        """The folder's trained model, else the shipped one."""
        if self.model_file.exists():
            return load_classifier(self.model_file)
        return shipped_classifier()
