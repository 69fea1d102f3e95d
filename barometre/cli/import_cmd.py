"""`barometre import`: answers collected with LimeSurvey, KoboToolbox/ODK or any CSV/XLSX, into an
edition folder or a campaign — the engine and the French report of the web page, all or nothing."""

from __future__ import annotations

import sys
from pathlib import Path

import click

FORMATS = {"limesurvey": "limesurvey", "kobo": "kobo", "correspondance": "mapped"}
RULES = {"refuser": "refuse", "remplacer": "replace", "conserver": "keep"}


def _questionnaire(questionnaire: Path | None, structure: Path | None):
    """The questionnaire given on the command line (YAML, XLSForm or LimeSurvey `.lss`), if any."""
    if structure is not None:
        from barometre.imports.limesurvey_structure import questionnaire_from_lss, read_lss

        converted = questionnaire_from_lss(read_lss(structure.read_bytes()))
        for note in converted.notes:
            click.echo(f"Conversion LimeSurvey : {note}", err=True)
        return converted.questionnaire
    if questionnaire is not None:
        from barometre.questionnaire.files import load_any

        return load_any(questionnaire)
    return None


def _confirmations(values: tuple[str, ...]) -> dict[int, str]:
    from barometre.imports.columns import parse_confirmations

    try:
        return parse_confirmations("\n".join(values))
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--confirmer") from error


@click.command(name="import")
@click.argument("fichier", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--dossier",
    type=click.Path(file_okay=False, path_type=Path),
    help="Dossier d'édition où écrire les réponses (créé s'il n'existe pas, avec --questionnaire "
    "ou --structure).",
)
@click.option("--campagne", type=int, help="Campagne de la base où importer les réponses.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(FORMATS)),
    default="limesurvey",
    show_default=True,
    help="Export LimeSurvey, export KoboToolbox/ODK, ou tableau quelconque avec --correspondance.",
)
@click.option(
    "--structure",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Structure LimeSurvey (.lss) : crée le questionnaire et la correspondance des colonnes.",
)
@click.option(
    "--questionnaire",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Questionnaire (YAML ou XLSForm, par exemple celui de KoboToolbox) pour un nouveau "
    "dossier.",
)
@click.option(
    "--proposer",
    type=click.Path(dir_okay=False, path_type=Path),
    help="N'importe rien : écrit dans ce fichier un questionnaire YAML proposé à partir des "
    "colonnes et des valeurs de l'export, à relire puis à donner avec --questionnaire.",
)
@click.option(
    "--colonne-code",
    default="code",
    show_default=True,
    help="En-tête de la colonne qui identifie la collectivité (code Insee, SIREN, SIRET).",
)
@click.option("--colonne-nom", default="", help="En-tête de la colonne du nom (facultatif).")
@click.option(
    "--correspondance",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Fichier « colonne du fichier = identifiant » (une ligne chacune), pour --format "
    "correspondance.",
)
@click.option(
    "--encodage",
    type=click.Choice(["auto", "windows-1252"]),
    default="auto",
    show_default=True,
    help="Encodage d'un CSV : UTF-8 (auto) ou Windows-1252 (Excel sous Windows).",
)
@click.option(
    "--si-deja-repondu",
    type=click.Choice(sorted(RULES)),
    default="refuser",
    show_default=True,
    help="Collectivité qui a déjà une réponse : refuser l'import, remplacer ou conserver "
    "l'existante.",
)
@click.option(
    "--hors-base",
    is_flag=True,
    help="Garde à part les répondants absents du registre (« hors base de sondage ») au lieu de "
    "refuser le fichier.",
)
@click.option(
    "--confirmer",
    multiple=True,
    help="« LIGNE=CODE » ou « LIGNE=hors base » : collectivité confirmée pour une ligne "
    "(répétable).",
)
@click.option(
    "--db", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Fichier SQLite."
)
def command(
    fichier: Path,
    dossier: Path | None,
    campagne: int | None,
    fmt: str,
    structure: Path | None,
    questionnaire: Path | None,
    proposer: Path | None,
    colonne_code: str,
    colonne_nom: str,
    correspondance: Path | None,
    encodage: str,
    si_deja_repondu: str,
    hors_base: bool,
    confirmer: tuple[str, ...],
    db: Path | None,
) -> None:
    """Importe les réponses du FICHIER (CSV, XLSX, ODS) dans un dossier d'édition ou une campagne.

    Tout ou rien : au moindre problème rien n'est écrit et le rapport nomme chaque ligne et
    chaque colonne en cause ; le code de sortie est alors 1.
    """
    from barometre.imports.columns import parse_mapping
    from barometre.imports.engine import ImportOptions

    content = fichier.read_bytes()
    if proposer is not None:
        _propose(content, fichier, fmt, colonne_code, encodage, proposer)
        return
    if (dossier is None) == (campagne is None):
        raise click.UsageError("Indiquez soit --dossier, soit --campagne (ou --proposer).")
    mapping = None
    if correspondance is not None:
        try:
            mapping = parse_mapping(correspondance.read_text(encoding="utf-8"))
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--correspondance") from error
    if fmt == "correspondance" and not mapping:
        raise click.UsageError("--format correspondance demande --correspondance FICHIER.")
    options = ImportOptions(
        source=FORMATS[fmt],
        code_column=colonne_code,
        name_column=colonne_nom,
        mapping=mapping,
        encoding=encodage,
        on_existing=RULES[si_deja_repondu],
        out_of_frame=hors_base,
        confirmations=_confirmations(confirmer),
    )
    given = _questionnaire(questionnaire, structure)
    if dossier is not None:
        from barometre.imports.folders import import_into_folder
        from barometre.register.frame import load_register

        try:
            report = import_into_folder(
                dossier, content, fichier.name, options, load_register(), given
            )
        except (ValueError, FileExistsError) as error:
            raise click.ClickException(str(error)) from error
    else:
        report = _into_campaign(campagne, content, fichier.name, options, db, given)
    click.echo(report.text())
    if not report.ok:
        sys.exit(1)
    where = dossier if dossier is not None else f"la campagne {campagne}"
    click.echo(f"Réponses écrites dans {where}.")


def _into_campaign(campagne, content, name, options, db, given):
    """Import into a campaign of the database (the web page's engine and rules)."""
    from barometre.web.bootstrap import setup_django

    setup_django(db)
    from barometre.cli.invite_cmd import campaign_or_list
    from barometre.collection.imports import import_answers

    campaign = campaign_or_list(campagne)
    if given is not None and given.id != campaign.edition.questionnaire.id:
        raise click.UsageError(
            "la campagne a déjà son questionnaire : n'indiquez ni --structure ni --questionnaire"
        )
    return import_answers(
        campaign,
        content,
        name,
        options.source,
        mapping=options.mapping,
        code_column=options.code_column,
        name_column=options.name_column,
        encoding=options.encoding,
        on_existing=options.on_existing,
        out_of_frame=options.out_of_frame,
        confirmations=options.confirmations,
        actor="barometre import",
    )


def _propose(
    content: bytes, fichier: Path, fmt: str, colonne_code: str, encodage: str, target: Path
) -> None:
    """Write a questionnaire proposed from the export's columns and values."""
    from barometre.imports.proposal import propose_questionnaire
    from barometre.imports.tables import FileRefused, read_table

    try:
        table = read_table(content, fichier.name, encodage)
    except FileRefused as refused:
        raise click.ClickException("\n".join(str(p) for p in refused.problems)) from refused
    proposal = propose_questionnaire(
        table,
        title=f"Questionnaire proposé d'après {fichier.name}",
        identifier_column=colonne_code,
        source=FORMATS[fmt],
    )
    target.write_text(proposal.text, encoding="utf-8")
    for note in proposal.notes:
        click.echo(f"- {note}")
    count = len(proposal.questionnaire.questions)
    click.echo(
        f"Questionnaire proposé ({count} questions) écrit dans {target} : relisez-le, puis "
        f"barometre import {fichier.name} --questionnaire {target} --dossier DOSSIER"
    )
