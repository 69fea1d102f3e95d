"""`barometre initiatives`: import a corpus, train, classify, review and report."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click
import polars as pl

from barometre.initiatives.classifier import (
    ClassifierError,
    DomainClassifier,
    load_classifier,
    shipped_classifier,
    train_on_corpus,
)
from barometre.initiatives.corpus import example_corpus, import_corpus, write_corpus
from barometre.initiatives.findings import SEED_SOURCE
from barometre.initiatives.folder import InitiativesFolder
from barometre.initiatives.report import folder_report, join_attributes
from barometre.initiatives.review import (
    ReviewError,
    apply_corrections,
    classify_corpus,
    read_corrections,
    record_correction,
    retrain,
    review_queue,
)
from barometre.initiatives.taxonomy import TaxonomyError, load_taxonomy
from barometre.register import load_register
from barometre.register.strata import parse_class_option

TEXT_COLUMNS = {
    "titre": "title",
    "title": "title",
    "description": "description",
    "texte": "description",
}

folder_option = click.option(
    "--dossier",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("initiatives"),
    show_default=True,
    help="Dossier des initiatives (corpus.csv, corrections.csv, modele.joblib, taxonomie.yaml), "
    "par exemple mon-edition/initiatives.",
)


def _print(frame: pl.DataFrame) -> None:
    """Print a table as Markdown-like ASCII."""
    with pl.Config(
        tbl_formatting="ASCII_MARKDOWN",
        tbl_hide_column_data_types=True,
        tbl_hide_dataframe_shape=True,
        tbl_rows=-1,
        tbl_cols=-1,
        tbl_width_chars=200,
        fmt_str_lengths=140,
        float_precision=3,
    ):
        click.echo(str(frame))


def _fail(message: str) -> None:
    """Stop with a French error message."""
    raise click.ClickException(message)


@click.group(name="initiatives")
def command() -> None:
    """Initiatives numériques publiées par les collectivités : corpus, classement, analyses."""


@command.command(name="import")
@click.argument("fichier", type=click.Path(dir_okay=False, path_type=Path))
@folder_option
@click.option(
    "--taxonomie",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="Taxonomie YAML de l'opérateur (copiée dans le dossier) ; défaut : taxonomie livrée.",
)
@click.option(
    "--erreurs",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Écrire aussi la liste des erreurs dans ce fichier CSV.",
)
def import_command(
    fichier: Path, dossier: Path, taxonomie: Path | None, erreurs: Path | None
) -> None:
    """Importer un corpus CSV/XLSX (code, titre, description, annee, domaine facultatif).

    Les codes inconnus du registre, les textes vides, les années et domaines invalides sont
    signalés ligne par ligne ; en cas d'erreur, rien n'est écrit.
    """
    folder = InitiativesFolder(dossier)
    try:
        taxonomy = load_taxonomy(taxonomie) if taxonomie else folder.taxonomy()
    except TaxonomyError as exc:
        _fail(str(exc))
    result = import_corpus(fichier, load_register(), taxonomy)
    if not result.ok:
        table = result.errors_table()
        if erreurs is not None:
            table.write_csv(erreurs)
        _print(table.head(50))
        _fail(f"{len(result.errors)} erreur(s) dans {fichier.name} : corpus non importé.")
    write_corpus(result.corpus, folder.corpus_file)
    if taxonomie is not None:
        folder.taxonomy_file.write_text(taxonomie.read_text(encoding="utf-8"), encoding="utf-8")
    labelled = result.corpus.get_column("domain").is_not_null().sum()
    click.echo(
        f"{result.corpus.height} initiatives importées ({labelled} avec un domaine) "
        f"dans {folder.corpus_file}."
    )


def _echo_scores(model: DomainClassifier) -> None:
    """Print cross-validated scores and the per-domain table."""
    if model.scores is None:
        return
    click.echo(model.scores.summary())
    _print(model.scores.per_domain_table())


@command.command(name="train")
@folder_option
@click.option(
    "--exemples/--sans-exemples",
    default=None,
    help="Ajouter le corpus d'exemple livré aux exemples étiquetés (défaut : oui si la "
    "taxonomie contient les domaines par défaut).",
)
@click.option(
    "--corpus-exemple",
    is_flag=True,
    help="Entraîner et évaluer sur le seul corpus d'exemple livré (sans dossier).",
)
def train_command(dossier: Path, exemples: bool | None, corpus_exemple: bool) -> None:
    """Entraîner le classifieur sur les initiatives étiquetées et les corrections.

    Affiche l'exactitude et le F1 macro en validation croisée (5 plis) et enregistre le
    modèle dans le dossier (modele.joblib).
    """
    try:
        if corpus_exemple:
            model = train_on_corpus(example_corpus())
            _echo_scores(model)
            return
        folder = InitiativesFolder(dossier)
        if not folder.has_corpus():
            _fail(f"aucun corpus dans {dossier} : lancez d'abord « barometre initiatives import ».")
        model = retrain(
            folder.corpus(), folder.corrections_file, folder.taxonomy(), with_example=exemples
        )
    except ClassifierError as exc:
        _fail(str(exc))
    model.save(folder.model_file)
    _echo_scores(model)
    click.echo(f"Modèle entraîné sur {model.n_examples} exemples : {folder.model_file}")


def _classifier(modele: Path | None, dossier: Path) -> DomainClassifier:
    """The model given, else the folder's, else the shipped one."""
    try:
        if modele is not None:
            return load_classifier(modele)
        return InitiativesFolder(dossier).classifier()
    except ClassifierError as exc:
        _fail(str(exc))
        raise


@command.command(name="classify")
@click.argument("entree", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.argument("sortie", type=click.Path(dir_okay=False, path_type=Path))
@folder_option
@click.option(
    "--modele",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Modèle joblib à utiliser (défaut : celui du dossier, sinon le modèle livré).",
)
def classify_command(entree: Path, sortie: Path, dossier: Path, modele: Path | None) -> None:
    """Classer les textes d'un CSV (colonnes titre et/ou description, ou texte).

    Écrit le même CSV avec deux colonnes de plus : domaine_predit et probabilite.
    """
    try:
        table = pl.read_csv(entree, infer_schema=False)
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as exc:
        _fail(f"{entree.name} : CSV illisible ({exc})")
    present = {
        TEXT_COLUMNS[c.strip().lower()]: c
        for c in table.columns
        if c.strip().lower() in TEXT_COLUMNS
    }
    if not present:
        _fail(f"{entree.name}, ligne 1 : aucune colonne « titre », « description » ou « texte ».")
    empty = pl.Series([""] * table.height, dtype=pl.String)
    titles = table.get_column(present["title"]) if "title" in present else empty
    descriptions = table.get_column(present["description"]) if "description" in present else empty
    model = _classifier(modele, dossier)
    predicted = model.predict(titles, descriptions)
    out = table.with_columns(
        predicted.get_column("domain_predicted").alias("domaine_predit"),
        predicted.get_column("probability").round(4).alias("probabilite"),
    )
    tmp = sortie.with_name(f".{sortie.name}.tmp")
    out.write_csv(tmp)
    tmp.replace(sortie)
    click.echo(f"{out.height} textes classés ({model.origin}) : {sortie}")
    if model.scores is not None:
        click.echo(f"Qualité du modèle, {model.scores.summary()}")


@command.command(name="review")
@folder_option
@click.option(
    "--taille",
    type=click.IntRange(1, 10_000),
    default=20,
    show_default=True,
    help="Nombre d'initiatives à revoir.",
)
def review_command(dossier: Path, taille: int) -> None:
    """Afficher la file de revue : les prédictions les moins sûres, à corriger."""
    folder = InitiativesFolder(dossier)
    if not folder.has_corpus():
        _fail(f"aucun corpus dans {dossier} : lancez d'abord « barometre initiatives import ».")
    corpus = apply_corrections(folder.corpus(), read_corrections(folder.corrections_file))
    queue = review_queue(classify_corpus(corpus, folder.classifier()), taille)
    if queue.height == 0:
        click.echo("Aucune initiative à revoir : toutes ont un domaine étiqueté ou corrigé.")
        return
    _print(
        queue.select("id", "title", "domain_predicted", "probability", "domain_second").rename(
            {
                "title": "titre",
                "domain_predicted": "domaine_predit",
                "probability": "probabilite",
                "domain_second": "deuxieme_choix",
            }
        )
    )


@command.command(name="correct")
@click.argument("identifiant")
@click.argument("domaine")
@folder_option
@click.option("--auteur", default=None, help="Nom de la personne qui corrige.")
def correct_command(identifiant: str, domaine: str, dossier: Path, auteur: str | None) -> None:
    """Enregistrer la correction du domaine d'une initiative (IDENTIFIANT DOMAINE)."""
    folder = InitiativesFolder(dossier)
    if not folder.has_corpus():
        _fail(f"aucun corpus dans {dossier} : lancez d'abord « barometre initiatives import ».")
    try:
        record_correction(
            folder.corrections_file,
            identifiant,
            domaine,
            folder.taxonomy(),
            auteur,
            folder.corpus(),
        )
    except ReviewError as exc:
        _fail(str(exc))
    click.echo(f"Correction enregistrée : {identifiant} → {domaine} ({folder.corrections_file}).")


@command.command(name="report")
@folder_option
@click.option(
    "--sortie",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Dossier où écrire les tableaux CSV et initiatives.md (défaut : affichage seul).",
)
@click.option(
    "--attribut",
    "attributs",
    multiple=True,
    help="Attribut numérique du registre à croiser (ex. age_median), répétable.",
)
@click.option(
    "--classes",
    multiple=True,
    help="Bornes des classes de population, ex. 2000,10000,50000 (défaut : classes DGCL).",
)
@click.option(
    "--fichier-attributs",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="CSV d'attributs (colonne code + attributs, ex. frame_attributes.csv de l'édition).",
)
@click.option(
    "--workspace",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Espace de travail du registre (attributs importés avec « barometre register import »).",
)
@click.option(
    "--corpus-exemple",
    "example",
    is_flag=True,
    help="Analyser le corpus d'exemple livré (sans --dossier ni import préalable).",
)
def report_command(
    dossier: Path,
    sortie: Path | None,
    attributs: tuple[str, ...],
    classes: tuple[str, ...],
    fichier_attributs: Path | None,
    workspace: Path | None,
    example: bool,
) -> None:
    """Analyser le corpus : parts des domaines (IC 95 %), intensité par taille, lien avec la
    population, et les constats du baromètre Villes Internet × Deloitte (2016) vérifiés."""
    try:
        spec = parse_class_option(classes)
        register = load_register(workspace)
        entities = register.with_strata(spec)
        if fichier_attributs is not None:
            entities = join_attributes(entities, fichier_attributs)
        if example:
            with tempfile.TemporaryDirectory() as tmp:
                folder = InitiativesFolder(Path(tmp))
                write_corpus(example_corpus(register), folder.corpus_file)
                report = folder_report(folder, register, attributs, entities)
        else:
            folder = InitiativesFolder(dossier)
            if not folder.has_corpus():
                _fail(
                    f"aucun corpus dans {dossier} : lancez d'abord « barometre initiatives "
                    "import », ou analysez le corpus d'exemple avec --corpus-exemple."
                )
            report = folder_report(folder, register, attributs, entities)
    except (ValueError, ClassifierError) as exc:
        _fail(str(exc))
    assert report is not None
    for label, value in report.key_figures():
        click.echo(f"{label} : {value}")
    click.echo("")
    click.echo(f"Constats du baromètre {SEED_SOURCE}, vérifiés sur ce corpus :")
    for line in report.findings_lines():
        click.echo(f"- {line}")
    click.echo("")
    _print(report.intensity)
    if sortie is not None:
        paths = report.write(sortie)
        click.echo(f"{len(paths)} fichiers écrits dans {sortie}.")


__all__ = ["command", "shipped_classifier"]
