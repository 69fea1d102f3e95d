"""Domain classifier for French initiative texts: TF-IDF (words + character n-grams), linear SVM,
sigmoid-calibrated probabilities (scikit-learn), with cross-validated accuracy and macro-F1.

The classifier reads "title. title. description" (the title counts twice: it is the densest part).
Everything is seeded, so training on the same examples always gives the same model.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import warnings
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import joblib
import numpy as np
import polars as pl
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from barometre.initiatives import text_features
from barometre.initiatives.taxonomy import Taxonomy, default_taxonomy
from barometre.initiatives.text_features import WordCharTfidf

SEED = 20161108
DEFAULT_FOLDS = 5
CALIBRATION_FOLDS = 5  # internal folds of the sigmoid calibration


class ClassifierError(ValueError):
    """Training or loading failed; the message is in French."""


@dataclass(frozen=True)
class ClassifierScores:
    """Cross-validated quality of a classifier (stratified k-fold, seeded)."""

    accuracy: float
    macro_f1: float
    folds: int
    n_examples: int
    per_domain: list[dict] = field(default_factory=list)

    def summary(self) -> str:
        """One French line, e.g. for the CLI."""
        return (
            f"validation croisée ({self.folds} plis, {self.n_examples} exemples) : "
            f"exactitude {self.accuracy:.3f}, F1 macro {self.macro_f1:.3f}".replace(".", ",")
        )

    def per_domain_table(self) -> pl.DataFrame:
        """Precision, recall, F1 and support of each domain."""
        return pl.DataFrame(self.per_domain)


def document_texts(titles: pl.Series | list[str], descriptions: pl.Series | list[str]) -> list[str]:
    """The classifier's input text: title twice then description, lower-case without accents.

    Normalising here, once and vectorised, spares each TF-IDF analyser a per-document pass.
    """
    frame = pl.DataFrame(
        {"t": pl.Series(titles, dtype=pl.String), "d": pl.Series(descriptions, dtype=pl.String)}
    ).fill_null("")
    text = (
        pl.concat_str([pl.col("t"), pl.col("t"), pl.col("d")], separator=". ")
        .str.normalize("NFKD")
        .str.replace_all(r"\p{Mn}", "")
        .str.to_lowercase()
    )
    return frame.select(text).to_series().to_list()


def build_pipeline(seed: int = SEED) -> Pipeline:
    """Unfitted pipeline: word (1–2) and character (2–5, within words) TF-IDF, calibrated SVM."""
    features = FeatureUnion(
        [
            (
                "mots",
                TfidfVectorizer(lowercase=False, ngram_range=(1, 2), sublinear_tf=True),
            ),
            (
                "caracteres",
                WordCharTfidf(min_n=2, max_n=5, min_df=2),
            ),
        ]
    )
    model = CalibratedClassifierCV(
        LinearSVC(C=0.5, random_state=seed), method="sigmoid", cv=CALIBRATION_FOLDS, ensemble=True
    )
    return Pipeline([("tfidf", features), ("modele", model)])


def minimum_examples(folds: int, evaluate: bool) -> int:
    """Examples needed per domain: the calibration folds, within each cross-validation fold."""
    if not evaluate:
        return CALIBRATION_FOLDS
    return -(-CALIBRATION_FOLDS * folds // (folds - 1))


def _check_examples(labels: np.ndarray, taxonomy: Taxonomy, needed: int) -> None:
    """Raise ClassifierError (French) for labels outside the taxonomy or too-rare domains."""
    unknown = sorted(set(labels.tolist()) - set(taxonomy.ids))
    if unknown:
        raise ClassifierError(
            f"domaines absents de la taxonomie dans les exemples : {', '.join(unknown)}"
        )
    values, counts = np.unique(labels, return_counts=True)
    if len(values) < 2:
        raise ClassifierError("il faut des exemples d'au moins deux domaines pour entraîner")
    rare = [f"{v} ({c})" for v, c in zip(values, counts, strict=True) if c < needed]
    if rare:
        raise ClassifierError(
            f"trop peu d'exemples étiquetés (au moins {needed} par domaine) : {', '.join(rare)}"
        )


def cross_validate(
    texts: list[str], labels: np.ndarray, folds: int = DEFAULT_FOLDS, seed: int = SEED
) -> ClassifierScores:
    """Stratified k-fold predictions of a fresh pipeline: accuracy, macro-F1, per-domain scores."""
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    predicted = cross_val_predict(build_pipeline(seed), texts, labels, cv=splitter)
    domains = np.unique(labels)
    precision, recall, f1, support = precision_recall_fscore_support(
        labels, predicted, labels=domains, zero_division=0
    )
    per_domain = [
        {
            "domaine": str(d),
            "precision": float(p),
            "rappel": float(r),
            "f1": float(f),
            "effectif": int(s),
        }
        for d, p, r, f, s in zip(domains, precision, recall, f1, support, strict=True)
    ]
    return ClassifierScores(
        accuracy=float(accuracy_score(labels, predicted)),
        macro_f1=float(f1_score(labels, predicted, average="macro")),
        folds=folds,
        n_examples=len(labels),
        per_domain=per_domain,
    )


@dataclass
class DomainClassifier:
    """A fitted pipeline with its taxonomy and its cross-validated scores."""

    pipeline: Pipeline
    taxonomy: Taxonomy
    scores: ClassifierScores | None
    n_examples: int
    origin: str = "entraîné"

    @property
    def domains(self) -> list[str]:
        """Domain ids the model can predict, in its column order."""
        return [str(c) for c in self.pipeline.classes_]

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """(n, domains) calibrated probabilities."""
        return self.pipeline.predict_proba(texts)

    def predict(
        self, titles: pl.Series | list[str], descriptions: pl.Series | list[str]
    ) -> pl.DataFrame:
        """Predicted domain, its probability, the runner-up and the margin between them."""
        texts = document_texts(titles, descriptions)
        if not texts:
            return pl.DataFrame(
                schema={
                    "domain_predicted": pl.String,
                    "probability": pl.Float64,
                    "domain_second": pl.String,
                    "probability_second": pl.Float64,
                    "margin": pl.Float64,
                }
            )
        proba = self.probabilities(texts)
        order = np.argsort(-proba, axis=1)
        rows = np.arange(len(texts))
        classes = np.asarray(self.domains)
        first, second = proba[rows, order[:, 0]], proba[rows, order[:, 1]]
        return pl.DataFrame(
            {
                "domain_predicted": classes[order[:, 0]],
                "probability": first,
                "domain_second": classes[order[:, 1]],
                "probability_second": second,
                "margin": first - second,
            }
        )

    def save(self, path: Path | str) -> Path:
        """Store the model with joblib (with the scikit-learn version it was fitted with)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "pipeline": self.pipeline,
            "taxonomy": self.taxonomy,
            "scores": None if self.scores is None else asdict(self.scores),
            "n_examples": self.n_examples,
            "sklearn": sklearn.__version__,
        }
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(fd)
        try:
            joblib.dump(payload, tmp, compress=3)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return path


def train_classifier(
    titles: pl.Series | list[str],
    descriptions: pl.Series | list[str],
    labels: pl.Series | list[str],
    taxonomy: Taxonomy | None = None,
    folds: int = DEFAULT_FOLDS,
    seed: int = SEED,
    evaluate: bool = True,
) -> DomainClassifier:
    """Fit on labelled examples; with `evaluate`, also cross-validate (scores in the result)."""
    taxonomy = taxonomy or default_taxonomy()
    y = np.asarray(pl.Series(labels, dtype=pl.String).to_list(), dtype=object)
    _check_examples(y, taxonomy, minimum_examples(folds, evaluate))
    texts = document_texts(titles, descriptions)
    scores = cross_validate(texts, y, folds, seed) if evaluate else None
    pipeline = build_pipeline(seed).fit(texts, y)
    return DomainClassifier(pipeline, taxonomy, scores, len(y))


def train_on_corpus(
    corpus: pl.DataFrame, taxonomy: Taxonomy | None = None, evaluate: bool = True
) -> DomainClassifier:
    """Fit on the labelled rows (`domain` not null) of a corpus."""
    labelled = corpus.filter(pl.col("domain").is_not_null())
    return train_classifier(
        labelled.get_column("title"),
        labelled.get_column("description"),
        labelled.get_column("domain"),
        taxonomy,
        evaluate=evaluate,
    )


def load_classifier(path: Path | str) -> DomainClassifier:
    """Load a model saved by `DomainClassifier.save`; refuse one fitted by another scikit-learn."""
    path = Path(path)
    if not path.exists():
        raise ClassifierError(f"modèle introuvable : {path}")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            payload = joblib.load(path)
        except Exception as exc:
            raise ClassifierError(
                f"{path.name} : modèle illisible ou produit par une autre version de "
                f"scikit-learn ({exc}) ; réentraînez-le avec « barometre initiatives train »"
            ) from exc
    if payload.get("sklearn") != sklearn.__version__:
        raise ClassifierError(
            f"{path.name} : modèle entraîné avec scikit-learn {payload.get('sklearn')}, "
            f"version installée {sklearn.__version__} ; réentraînez-le"
        )
    scores = payload["scores"]
    return DomainClassifier(
        payload["pipeline"],
        payload["taxonomy"],
        None if scores is None else ClassifierScores(**scores),
        payload["n_examples"],
        origin=f"fichier {path.name}",
    )


def shipped_model_cache() -> Path:
    """Cache file of the shipped model, keyed by corpus, taxonomy, code and scikit-learn version.

    `$BAROMETRE_HOME/cache`, else `$XDG_CACHE_HOME/barometre` (~/.cache/barometre).
    """
    from barometre.initiatives.corpus import EXAMPLE_CORPUS_FILE
    from barometre.initiatives.taxonomy import DEFAULT_TAXONOMY_FILE

    digest = hashlib.sha256(sklearn.__version__.encode())
    for source in (
        EXAMPLE_CORPUS_FILE,
        DEFAULT_TAXONOMY_FILE,
        Path(__file__),
        Path(text_features.__file__),
    ):
        digest.update(source.read_bytes())
    home = os.environ.get("BAROMETRE_HOME")
    base = (
        Path(home).expanduser() / "cache"
        if home
        else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "barometre"
    )
    return base / f"initiatives-modele-livre-{digest.hexdigest()[:16]}.joblib"


@lru_cache(maxsize=1)
def shipped_classifier() -> DomainClassifier:
    """The model trained deterministically on the shipped example corpus.

    Trained on first use, then kept in memory and in a cache file (a cache that cannot be read or
    written is simply ignored: the model is trained again).
    """
    from barometre.initiatives.corpus import example_corpus

    origin = "modèle livré (corpus d'exemple)"
    cache = shipped_model_cache()
    if cache.exists():
        try:
            model = load_classifier(cache)
            model.origin = origin
            return model
        except ClassifierError:
            pass
    model = train_on_corpus(example_corpus(), default_taxonomy(), evaluate=False)
    model.origin = origin
    with contextlib.suppress(OSError):
        model.save(cache)
    return model
