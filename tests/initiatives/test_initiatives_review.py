"""Review queue: least certain first, corrections stored safely, retraining uses them."""

from __future__ import annotations

import polars as pl
import pytest

from barometre.initiatives.review import (
    ReviewError,
    apply_corrections,
    classify_corpus,
    read_corrections,
    record_correction,
    retrain,
    review_queue,
    training_examples,
)


@pytest.fixture(scope="module")
def unlabelled(corpus) -> pl.DataFrame:
    """The example corpus with the labels of every other row removed."""
    return corpus.with_columns(
        pl.when(pl.int_range(pl.len()) % 2 == 0).then(pl.col("domain")).alias("domain")
    )


def test_queue_holds_only_unlabelled_rows_least_certain_first(unlabelled, model):
    classified = classify_corpus(unlabelled, model)
    queue = review_queue(classified, size=15)
    assert queue.height == 15
    assert set(queue.get_column("id")) <= set(
        unlabelled.filter(pl.col("domain").is_null()).get_column("id")
    )
    margins = queue.get_column("margin").to_list()
    assert margins == sorted(margins)
    others = classified.filter(
        pl.col("domain").is_null() & ~pl.col("id").is_in(queue.get_column("id").implode())
    )
    assert others.get_column("margin").min() >= max(margins)
    sources = classified.get_column("domain_source").value_counts()
    assert dict(sources.iter_rows()) == {"etiquette": 303, "prediction": 303}


def test_corrections_are_validated_stored_and_the_last_one_wins(tmp_path, unlabelled, taxonomy):
    path = tmp_path / "corrections.csv"
    target = unlabelled.filter(pl.col("domain").is_null()).get_column("id")[0]
    record_correction(path, target, "culture", taxonomy, "Camille", unlabelled)
    record_correction(path, target, "education", taxonomy, None, unlabelled)
    with pytest.raises(ReviewError, match="« sport » absent de la taxonomie"):
        record_correction(path, target, "sport", taxonomy)
    with pytest.raises(ReviewError, match="absente du corpus"):
        record_correction(path, "000000000000", "culture", taxonomy, corpus=unlabelled)
    stored = read_corrections(path)
    assert stored.height == 2
    assert stored.get_column("auteur").to_list() == ["Camille", None]
    corrected = apply_corrections(unlabelled, stored).filter(pl.col("id") == target)
    assert corrected.row(0, named=True)["domain"] == "education"
    assert corrected.row(0, named=True)["domain_source"] == "correction"


def test_retraining_uses_the_corrections(tmp_path, unlabelled, corpus):
    path = tmp_path / "corrections.csv"
    missing = unlabelled.filter(pl.col("domain").is_null()).head(60)
    truth = corpus.select("id", pl.col("domain").alias("truth"))
    for row in missing.join(truth, on="id").iter_rows(named=True):
        record_correction(path, row["id"], row["truth"])
    examples = training_examples(unlabelled, read_corrections(path), with_example=False)
    assert examples.height == 303 + 60
    model = retrain(unlabelled, path, with_example=False, evaluate=False)
    assert model.n_examples == 363
    queue = review_queue(
        classify_corpus(apply_corrections(unlabelled, read_corrections(path)), model)
    )
    assert not set(queue.get_column("id")) & set(missing.get_column("id"))
