"""The review state of a folder (classified corpus, model, corrections), cached per file version."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polars as pl

from barometre.initiatives.classifier import ClassifierScores, DomainClassifier
from barometre.initiatives.folder import InitiativesFolder
from barometre.initiatives.review import (
    apply_corrections,
    classify_corpus,
    read_corrections,
    review_queue,
)
from barometre.initiatives.taxonomy import Taxonomy
from barometre.publish.numbers import count, number, percent

DEFAULT_SIZE = 20
MAX_SIZE = 200


@dataclass(frozen=True)
class ReviewState:
    """Everything the queue page shows about one folder."""

    taxonomy: Taxonomy
    classifier: DomainClassifier
    classified: pl.DataFrame
    corrections: pl.DataFrame

    def queue(self, size: int = DEFAULT_SIZE) -> pl.DataFrame:
        """The least certain unlabelled predictions, smallest margin first."""
        return review_queue(self.classified, size)

    def counts(self) -> dict[str, str]:
        """Initiatives, human labels, corrections and predictions still to review (French)."""
        sources = self.classified.get_column("domain_source")
        return {
            "total": count(self.classified.height),
            "etiquettes": count(int((sources == "etiquette").sum())),
            "corrections": count(int((sources == "correction").sum())),
            "a_revoir": count(int((sources == "prediction").sum())),
        }

    def items(self, size: int = DEFAULT_SIZE) -> list[dict]:
        """Queue rows for the template (labels and French percentages)."""
        label = self.taxonomy.label_of
        return [
            {
                **row,
                "position": position,
                "label_predicted": label(row["domain_predicted"]),
                "label_second": label(row["domain_second"]),
                "probability_fr": percent(row["probability"]),
                "probability_second_fr": percent(row["probability_second"]),
            }
            for position, row in enumerate(self.queue(size).iter_rows(named=True), start=1)
        ]

    def recent_corrections(self, size: int = 10) -> list[dict]:
        """The latest corrections, newest first, with titles and domain labels."""
        titles = self.titles()
        label = self.taxonomy.label_of
        latest = self.corrections.tail(size).reverse()
        return [
            {
                **row,
                "title": titles.get(row["id"], row["id"]),
                "label": label(row["domaine"]),
                "when": _moment(row["corrige_le"]),
            }
            for row in latest.iter_rows(named=True)
        ]

    def labels(self) -> dict[str, str]:
        """Domain id → French label."""
        return {d.id: d.label for d in self.taxonomy.domains}

    def ids(self) -> set[str]:
        """Ids of every initiative of the corpus."""
        return set(self.classified.get_column("id").to_list())

    def titles(self) -> dict[str, str]:
        """Initiative id → title (to name items in error messages)."""
        return dict(self.classified.select("id", "title").iter_rows())


def model_summary(classifier: DomainClassifier) -> dict[str, object]:
    """Origin, examples and cross-validated scores of a model, in French number format."""
    scores: ClassifierScores | None = classifier.scores
    label = classifier.taxonomy.label_of
    return {
        "per_domain": []
        if scores is None
        else [
            {
                "label": label(row["domaine"]),
                "precision": number(row["precision"], 3),
                "rappel": number(row["rappel"], 3),
                "f1": number(row["f1"], 3),
                "effectif": count(row["effectif"]),
            }
            for row in scores.per_domain
        ],
        "origin": classifier.origin,
        "examples": count(classifier.n_examples),
        "accuracy": None if scores is None else percent(scores.accuracy, 1),
        "macro_f1": None if scores is None else number(scores.macro_f1, 3),
        "folds": None if scores is None else count(scores.folds),
    }


def _moment(text: str | None) -> dt.datetime | None:
    """A stored ISO 8601 timestamp as a datetime (None when missing or unreadable)."""
    try:
        return dt.datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def _stamp(path: Path) -> tuple[int, int]:
    """(mtime in ns, size) of a file, (0, 0) when absent: the cache key of its version."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return (0, 0)
    return (info.st_mtime_ns, info.st_size)


@lru_cache(maxsize=8)
def _state(path: str, stamps: tuple[tuple[int, int], ...]) -> ReviewState:
    """The review state of a folder at given file versions (computed once per version)."""
    folder = InitiativesFolder(Path(path))
    taxonomy = folder.taxonomy()
    corrections = read_corrections(folder.corrections_file)
    corpus = apply_corrections(folder.corpus(), corrections)
    classifier = folder.classifier()
    return ReviewState(taxonomy, classifier, classify_corpus(corpus, classifier), corrections)


def review_state(folder: InitiativesFolder) -> ReviewState:
    """The current review state of a folder (recomputed when one of its files changes)."""
    files = (
        folder.corpus_file,
        folder.corrections_file,
        folder.model_file,
        folder.taxonomy_file,
    )
    return _state(str(folder.path), tuple(_stamp(f) for f in files))
