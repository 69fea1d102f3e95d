"""`barometre questionnaire`: validate, convert, show and compare questionnaires; list templates."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from barometre.questionnaire.expressions import parse, references
from barometre.questionnaire.files import file_format, load_any, save_any
from barometre.questionnaire.issues import QuestionnaireError
from barometre.questionnaire.model import (
    NSP_CODE,
    TYPE_LABELS_FR,
    Question,
    Questionnaire,
    QuestionType,
    compare,
)
from barometre.questionnaire.templates_catalogue import list_templates, load_template
from barometre.questionnaire.yaml_format import json_schema

existing_file = click.Path(exists=True, dir_okay=False, path_type=Path)


def _fail(error: QuestionnaireError) -> None:
    """Print a questionnaire error report and exit with status 1."""
    click.echo(error.report(), err=True)
    sys.exit(1)


def _load(path: Path, *, show_report: bool = True) -> Questionnaire:
    """Load a YAML or XLSForm questionnaire, printing the XLSForm import report when not empty."""
    try:
        if file_format(path) == "xlsform":
            from barometre.questionnaire.xlsform import read_xlsform

            result = read_xlsform(path)
            if result.questionnaire is None or (show_report and result.notes):
                click.echo(result.report(), err=result.questionnaire is None)
            if result.questionnaire is None:
                sys.exit(1)
            return result.questionnaire
        return load_any(path)
    except QuestionnaireError as error:
        _fail(error)
        raise  # unreachable, for type checkers


def _facts(questionnaire: Questionnaire) -> str:
    """Id, version, edition and counts."""
    return (
        f"id {questionnaire.id}, version {questionnaire.version},"
        f" édition {questionnaire.edition or '(non précisée)'} : {len(questionnaire.themes)}"
        f" thème(s), {len(questionnaire.questions)} question(s)"
    )


def _summary(questionnaire: Questionnaire) -> str:
    """One line: title, id, version, edition, counts."""
    return f"{questionnaire.title} — {_facts(questionnaire)}"


@click.group(name="questionnaire")
def command() -> None:
    """Questionnaires : valider, convertir (YAML ↔ XLSForm), afficher, comparer, modèles fournis."""


@command.command("validate")
@click.argument("fichier", type=existing_file)
@click.option(
    "--strict",
    is_flag=True,
    help="XLSForm : échoue aussi quand des éléments non pris en charge ont été ignorés.",
)
def validate_command(fichier: Path, strict: bool) -> None:
    """Valide FICHIER (YAML ou XLSForm .xlsx/.xls) et affiche un rapport en français.

    Code de sortie 1 si le questionnaire est invalide (toutes les erreurs sont listées, avec
    ligne et champ).
    """
    if strict and file_format(fichier) == "xlsform":
        from barometre.questionnaire.xlsform import read_xlsform

        result = read_xlsform(fichier)
        click.echo(result.report())
        if result.questionnaire is None or result.unsupported:
            sys.exit(1)
        questionnaire = result.questionnaire
    else:
        questionnaire = _load(fichier)
    click.echo(f"Questionnaire valide : {_summary(questionnaire)}")


@command.command("convert")
@click.argument("entree", metavar="ENTRÉE", type=existing_file)
@click.argument("sortie", metavar="SORTIE", type=click.Path(dir_okay=False, path_type=Path))
def convert_command(entree: Path, sortie: Path) -> None:
    """Convertit ENTRÉE en SORTIE selon les extensions : YAML (.yaml) ↔ XLSForm (.xlsx).

    Le passage YAML → XLSForm → YAML est sans perte (colonnes « barometre:: »). Rien n'est
    écrit si l'entrée est invalide.
    """
    questionnaire = _load(entree)
    try:
        save_any(questionnaire, sortie)
    except QuestionnaireError as error:
        _fail(error)
    click.echo(f"Écrit : {sortie} ({_summary(questionnaire)})")


def _flags(question: Question) -> str:
    """Type and options of a question, in French."""
    parts = [TYPE_LABELS_FR[question.type]]
    if question.required:
        parts.append("obligatoire")
    if question.allow_nsp:
        parts.append("« ne sait pas » proposé")
    if question.max_choices is not None:
        parts.append(f"{question.max_choices} choix au plus")
    if question.unit:
        parts.append(f"unité : {question.unit}")
    if question.weight != 1:
        parts.append(f"poids {question.weight:g}")
    return ", ".join(parts)


def _tree(questionnaire: Questionnaire, with_options: bool) -> list[str]:
    """The questionnaire as a readable French tree."""
    dependents: dict[str, list[str]] = {}
    for question in questionnaire.questions:
        if question.relevant:
            for ref in references(parse(question.relevant)):
                dependents.setdefault(ref.name, []).append(question.id)
    lines = [questionnaire.title, f"  {_facts(questionnaire)}"]
    if questionnaire.waves:
        lines.append("  Vagues : " + " ; ".join(f"{w.id} ({w.label})" for w in questionnaire.waves))
    for theme in questionnaire.themes:
        details = [f"poids {theme.weight:g}"]
        if theme.wave:
            details.insert(0, f"vague {theme.wave}")
        lines.append("")
        lines.append(f"Thème {theme.id} — {theme.label} ({', '.join(details)})")
        if theme.relevant:
            lines.append(f"│   posé seulement si {theme.relevant}")
        for position, question in enumerate(theme.questions):
            last = position == len(theme.questions) - 1
            branch, pipe = ("└── ", "    ") if last else ("├── ", "│   ")
            lines.append(f"{branch}{question.id} [{_flags(question)}] {question.label}")
            if question.relevant:
                lines.append(f"{pipe}↳ posée si {question.relevant}")
            if question.constraint:
                message = f" ({question.constraint_message})" if question.constraint_message else ""
                lines.append(f"{pipe}✓ contrainte {question.constraint}{message}")
            if question.id in dependents:
                lines.append(f"{pipe}→ conditionne {', '.join(dependents[question.id])}")
            if with_options and question.type.is_choice:
                options = [f"{o.code} = {o.label}" for o in question.options]
                if question.allow_nsp:
                    options.append(f"{NSP_CODE} = Ne sait pas / sans réponse")
                if question.type is QuestionType.MATURITY and question.scale:
                    lines.append(f"{pipe}  échelle {question.scale} :")
                for option in options:
                    lines.append(f"{pipe}  · {option}")
    return lines


@command.command("show")
@click.argument("fichier", type=existing_file, required=False)
@click.option("--template", "-t", "template", metavar="NOM", help="Affiche un modèle fourni.")
@click.option("--modalites/--sans-modalites", default=False, help="Liste aussi les modalités.")
def show_command(fichier: Path | None, template: str | None, modalites: bool) -> None:
    """Affiche FICHIER (ou le modèle --template NOM) : thèmes, questions, types, conditions."""
    if (fichier is None) == (template is None):
        raise click.UsageError("indiquez soit un FICHIER, soit --template NOM (un seul des deux)")
    if template is not None:
        try:
            questionnaire = load_template(template)
        except KeyError as error:
            raise click.UsageError(str(error.args[0])) from None
        except QuestionnaireError as error:
            _fail(error)
    else:
        questionnaire = _load(fichier, show_report=False)
    click.echo("\n".join(_tree(questionnaire, modalites)))


@command.command("templates")
def templates_command() -> None:
    """Liste les modèles de questionnaires fournis avec barometre."""
    names = list_templates()
    if not names:
        click.echo("Aucun modèle fourni.")
        return
    for name in names:
        try:
            questionnaire = load_template(name)
        except QuestionnaireError as error:
            click.echo(f"{name} : modèle invalide ({len(error.issues)} erreur(s))")
            continue
        click.echo(f"{name} : {_summary(questionnaire)}")


@command.command("compare")
@click.argument("ancien", type=existing_file)
@click.argument("nouveau", type=existing_file)
def compare_command(ancien: Path, nouveau: Path) -> None:
    """Liste ce qui change entre deux versions d'un questionnaire (questions, modalités, niveaux)."""
    changes = compare(_load(ancien, show_report=False), _load(nouveau, show_report=False))
    if not changes:
        click.echo("Aucune différence.")
        return
    click.echo(f"{len(changes)} différence(s) :")
    for change in changes:
        click.echo(f"  - {change}")


@command.command("schema")
def schema_command() -> None:
    """Affiche le schéma JSON (draft 2020-12) du format YAML des questionnaires."""
    click.echo(json.dumps(json_schema(), ensure_ascii=False, indent=2))
