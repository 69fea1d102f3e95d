"""barometre.initiatives: corpus of initiatives, French domain classifier, review queue, analyses.

No Django here: the review screens of the web app call `review_queue`, `record_correction` and
`retrain`; the report layer calls `edition_report`.
"""

from barometre.initiatives.analysis import (
    attribute_association,
    domain_shares,
    intensity,
    population_association,
)
from barometre.initiatives.classifier import (
    ClassifierError,
    ClassifierScores,
    DomainClassifier,
    load_classifier,
    shipped_classifier,
    train_classifier,
    train_on_corpus,
)
from barometre.initiatives.corpus import (
    CorpusImport,
    CorpusImportError,
    example_corpus,
    import_corpus,
    read_corpus,
    write_corpus,
)
from barometre.initiatives.folder import InitiativesFolder
from barometre.initiatives.report import (
    InitiativesReport,
    build_report,
    edition_report,
    folder_report,
)
from barometre.initiatives.review import (
    ReviewError,
    apply_corrections,
    classify_corpus,
    read_corrections,
    record_correction,
    retrain,
    review_queue,
)
from barometre.initiatives.taxonomy import Taxonomy, TaxonomyError, default_taxonomy, load_taxonomy

__all__ = [
    "ClassifierError",
    "ClassifierScores",
    "CorpusImport",
    "CorpusImportError",
    "DomainClassifier",
    "InitiativesFolder",
    "InitiativesReport",
    "ReviewError",
    "Taxonomy",
    "TaxonomyError",
    "apply_corrections",
    "attribute_association",
    "build_report",
    "classify_corpus",
    "default_taxonomy",
    "domain_shares",
    "edition_report",
    "example_corpus",
    "folder_report",
    "import_corpus",
    "intensity",
    "load_classifier",
    "load_taxonomy",
    "population_association",
    "read_corpus",
    "read_corrections",
    "record_correction",
    "retrain",
    "review_queue",
    "shipped_classifier",
    "train_classifier",
    "train_on_corpus",
    "write_corpus",
]
