"""Review queue: the least certain predictions, the operator's corrections, and retraining.

Corrections are kept in a CSV file (`id`, `domaine`, `corrige_le`, `auteur`): the last correction of
an initiative wins. The web review screens call `review_queue`, `record_correction` and `retrain`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from barometre.initiatives.classifier import (
    DomainClassifier,
    shipped_classifier,
    train_classifier,
)
from barometre.initiatives.corpus import example_corpus, write_csv_atomic
from barometre.initiatives.taxonomy import Taxonomy, default_taxonomy
from barometre.register.spreadsheet_cells import restore_frame

CORRECTIONS_SCHEMA = {
    "id": pl.String,
    "domaine": pl.String,
    "corrige_le": pl.String,
    "auteur": pl.String,
}


class ReviewError(ValueError):
    """A correction is invalid; the message is in French."""


def classify_corpus(
    corpus: pl.DataFrame, classifier: DomainClassifier | None = None
) -> pl.DataFrame:
    """The corpus with predictions and the final domain (human label first, else prediction).

    Adds `domain_predicted`, `probability`, `domain_second`, `probability_second`, `margin`,
    `domain_final` and `domain_source` (`etiquette`, `correction` or `prediction`).
    """
    classifier = classifier or shipped_classifier()
    predicted = classifier.predict(corpus.get_column("title"), corpus.get_column("description"))
    out = pl.concat([corpus, predicted], how="horizontal")
    source = (
        pl.when(pl.col("domain").is_null())
        .then(pl.lit("prediction"))
        .otherwise(
            pl.col("domain_source") if "domain_source" in corpus.columns else pl.lit("etiquette")
        )
    )
    return out.with_columns(
        pl.coalesce("domain", "domain_predicted").alias("domain_final"),
        source.alias("domain_source"),
    )


def review_queue(
    classified: pl.DataFrame, size: int = 20, max_probability: float = 1.0
) -> pl.DataFrame:
    """The `size` least certain predictions not yet labelled (smallest margin first).

    Only rows without a human label are proposed; `max_probability` drops confident ones.
    """
    return (
        classified.filter(pl.col("domain").is_null() & (pl.col("probability") <= max_probability))
        .sort(["margin", "id"])
        .head(size)
        .select(
            "id",
            "code",
            "title",
            "description",
            "domain_predicted",
            "probability",
            "domain_second",
            "probability_second",
            "margin",
        )
    )


def read_corrections(path: Path | str) -> pl.DataFrame:
    """Corrections stored so far (empty table when the file does not exist)."""
    path = Path(path)
    if not path.exists():
        return pl.DataFrame(schema=CORRECTIONS_SCHEMA)
    return restore_frame(pl.read_csv(path, schema=CORRECTIONS_SCHEMA))


def record_correction(
    path: Path | str,
    initiative_id: str,
    domain: str,
    taxonomy: Taxonomy | None = None,
    author: str | None = None,
    corpus: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Append one correction (validated against the taxonomy and, if given, the corpus ids)."""
    taxonomy = taxonomy or default_taxonomy()
    if domain not in taxonomy.ids:
        raise ReviewError(
            f"correction de « {initiative_id} », champ « domaine » : « {domain} » absent de la "
            f"taxonomie ({', '.join(taxonomy.ids)})"
        )
    if corpus is not None and corpus.filter(pl.col("id") == initiative_id).height == 0:
        raise ReviewError(
            f"correction, champ « id » : initiative « {initiative_id} » absente du corpus"
        )
    path = Path(path)
    row = pl.DataFrame(
        {
            "id": [initiative_id],
            "domaine": [domain],
            "corrige_le": [dt.datetime.now(dt.UTC).isoformat(timespec="seconds")],
            "auteur": [author],
        },
        schema=CORRECTIONS_SCHEMA,
    )
    table = pl.concat([read_corrections(path), row])
    write_csv_atomic(table, path)
    return table


def apply_corrections(corpus: pl.DataFrame, corrections: pl.DataFrame) -> pl.DataFrame:
    """The corpus with corrected domains (last correction per id wins) and `domain_source`."""
    latest = (
        corrections.with_row_index("order")
        .sort("order")
        .unique("id", keep="last")
        .select("id", pl.col("domaine").alias("corrected"))
    )
    joined = corpus.join(latest, on="id", how="left", maintain_order="left")
    previous = pl.col("domain_source") if "domain_source" in corpus.columns else pl.lit("etiquette")
    return joined.with_columns(
        pl.coalesce("corrected", "domain").alias("domain"),
        pl.when(pl.col("corrected").is_not_null())
        .then(pl.lit("correction"))
        .when(pl.col("domain").is_not_null())
        .then(previous)
        .otherwise(pl.lit(None, pl.String))
        .alias("domain_source"),
    ).drop("corrected")


def training_examples(
    corpus: pl.DataFrame, corrections: pl.DataFrame | None = None, with_example: bool = True
) -> pl.DataFrame:
    """Labelled examples: the corpus's labels and corrections, plus the shipped corpus if asked."""
    labelled = corpus if corrections is None else apply_corrections(corpus, corrections)
    parts = [
        labelled.filter(pl.col("domain").is_not_null()).select(
            "id", "title", "description", "domain"
        )
    ]
    if with_example:
        shipped = example_corpus().select("id", "title", "description", "domain")
        parts.insert(0, shipped)
    return pl.concat(parts).unique("id", keep="last", maintain_order=True)


def retrain(
    corpus: pl.DataFrame,
    corrections_path: Path | str | None = None,
    taxonomy: Taxonomy | None = None,
    with_example: bool | None = None,
    evaluate: bool = True,
) -> DomainClassifier:
    """A model trained on the corpus's labels, its corrections and the shipped corpus.

    The shipped examples are added by default when the taxonomy holds every default domain.
    """
    taxonomy = taxonomy or default_taxonomy()
    if with_example is None:
        with_example = set(default_taxonomy().ids) <= set(taxonomy.ids)
    corrections = None if corrections_path is None else read_corrections(corrections_path)
    examples = training_examples(corpus, corrections, with_example)
    return train_classifier(
        examples.get_column("title"),
        examples.get_column("description"),
        examples.get_column("domain"),
        taxonomy,
        evaluate=evaluate,
    )
