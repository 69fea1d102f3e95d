"""`barometre demo`: build a complete demo edition from the real register and a seed template."""

from __future__ import annotations

import time
from pathlib import Path

import click
import polars as pl

from barometre.edition.consolidation import STATUS_COMPLETE, STATUS_PARTIAL
from barometre.edition.figures import figures_or_default
from barometre.edition.files import (
    EDITION_FILE,
    FRAME_ATTRIBUTES_FILE,
    QUESTIONNAIRE_FILE,
    RESPONSES_FILE,
    write_edition,
)
from barometre.edition.simulate import demo_metadata, simulate_edition, template_frame
from barometre.initiatives.corpus import example_corpus, write_corpus
from barometre.initiatives.folder import InitiativesFolder
from barometre.questionnaire.templates_catalogue import list_templates, load_template, template_text
from barometre.register import load_register

DEFAULT_FOLDER = "barometre-demo"
DEFAULT_TEMPLATE = "dinum-collectivites-numerique-2024"
DEFAULT_SEED = 2024
REPORT_FOLDER = "rapport"
POSITIONING_FOLDER = "positionnement"


def _count(value: int) -> str:
    """A count with French thousands separators."""
    return f"{value:,}".replace(",", "\u202f")


@click.command(name="demo")
@click.argument(
    "dossier",
    required=False,
    default=DEFAULT_FOLDER,
    type=click.Path(file_okay=False, path_type=Path),
)
@click.option(
    "--template",
    "-t",
    "template",
    default=DEFAULT_TEMPLATE,
    type=click.Choice(list_templates()),
    help=f"Modèle de questionnaire (baromètre source) à simuler (défaut : {DEFAULT_TEMPLATE}).",
)
@click.option(
    "--seed",
    default=DEFAULT_SEED,
    type=int,
    help=f"Graine aléatoire : la même graine redonne exactement les mêmes fichiers (défaut : {DEFAULT_SEED}).",
)
@click.option(
    "--size",
    type=click.IntRange(min=1),
    default=None,
    help="Nombre de collectivités répondantes (défaut : celui du modèle, 3 000 pour la DINUM).",
)
@click.option(
    "--pdf",
    is_flag=True,
    help=f"Écrire aussi le rapport en PDF : synthèse ({REPORT_FOLDER}/rapport.pdf) et annexe "
    f"complète ({REPORT_FOLDER}/rapport-annexe.pdf).",
)
@click.option(
    "--sans-rapport",
    "without_report",
    is_flag=True,
    help="N'écrire que l'édition (et son corpus d'initiatives), sans rapport ni données ouvertes.",
)
@click.option(
    "--editions",
    "editions",
    default=None,
    metavar="ANNÉES",
    help="Plusieurs éditions successives (ex. 2015,2016), une par sous-dossier DOSSIER/ANNÉE : "
    "la vérité simulée évolue, une partie des répondants répond aux deux (panel), et le rapport "
    "de chaque édition donne les évolutions par rapport à la précédente.",
)
def command(
    dossier: Path,
    template: str,
    seed: int,
    size: int | None,
    pdf: bool,
    without_report: bool,
    editions: str | None,
) -> None:
    """Construit une édition de démonstration complète dans DOSSIER (défaut : ./barometre-demo).

    Répondants tirés dans le registre officiel avec un biais réaliste (grandes collectivités et
    membres d'un OPSN sur-représentés), réponses simulées cohérentes avec le questionnaire et
    proches des chiffres publiés par le baromètre source ; corpus d'exemple d'initiatives
    numériques ; puis rapport complet (site, données ouvertes, rapports de positionnement) dans
    DOSSIER/rapport, sauf avec --sans-rapport. Avec --editions, une édition par année.
    """
    # 1. The template and the figures its seed barometer published.
    questionnaire = load_template(template)
    figures = figures_or_default(template)
    wanted = size or figures.demo.size
    years = _years(editions) if editions else None
    # 2. The official register, the sampling frame.
    register = load_register()
    frame_size = template_frame(register.entities, figures.demo).height
    if wanted > frame_size:
        click.echo(
            f"Taille demandée ({_count(wanted)}) supérieure à la base de sondage du modèle "
            f"({_count(frame_size)} entités) : toutes les entités sont retenues."
        )
    if years:
        _series(dossier, template, years, wanted, seed, pdf, without_report, register)
        return
    # 3. The simulation: OPSN membership, biased sample, answers, resubmissions.
    simulated = simulate_edition(
        questionnaire,
        list(figures.figures),
        register.entities,
        figures.demo,
        size=wanted,
        seed=seed,
    )
    # 4–6. The edition folder (written atomically), its corpus of initiatives; what was written.
    folder = _write(
        dossier, template, questionnaire, template_text(template), simulated, register, seed, wanted
    )
    click.echo("La même graine (--seed) redonne exactement les mêmes fichiers.")
    if not without_report:
        _report(folder, pdf)


def _years(text: str) -> list[int]:
    """The years of `--editions` (at least two distinct four-digit years), French error otherwise."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not all(p.isdigit() and len(p) == 4 for p in parts):
        raise click.BadParameter(
            f"« {text} » : donnez des années séparées par des virgules, par exemple 2015,2016.",
            param_hint="--editions",
        )
    years = sorted({int(p) for p in parts})
    if len(years) < 2:
        raise click.BadParameter(
            "au moins deux années différentes (par exemple 2015,2016).", param_hint="--editions"
        )
    return years


def _series(
    dossier: Path,
    template: str,
    years: list[int],
    wanted: int,
    seed: int,
    pdf: bool,
    without_report: bool,
    register,
) -> None:
    """Several editions of the template, one folder per year, each report against the previous."""
    from barometre.edition.simulate_editions import simulate_editions

    figures = figures_or_default(template)
    series = simulate_editions(
        load_template(template),
        template_text(template),
        list(figures.figures),
        register.entities,
        figures.demo,
        years=years,
        size=wanted,
        seed=seed,
    )
    folders = []
    for edition in series:
        folder = _write(
            dossier / str(edition.year),
            template,
            edition.questionnaire,
            edition.questionnaire_text,
            edition.simulated,
            register,
            seed,
            wanted,
        )
        if edition.panel:
            click.echo(
                f"  dont {_count(edition.panel)} collectivités qui avaient répondu à l'édition "
                "précédente (panel)"
            )
        folders.append(folder)
    click.echo("La même graine (--seed) redonne exactement les mêmes fichiers.")
    if without_report:
        return
    previous = None
    for folder in folders:
        _report(folder, pdf, previous)
        previous = folder
    click.echo(
        f"Évolutions {years[-2]} → {years[-1]} (échantillons indépendants et panel) : "
        f"{folders[-1] / REPORT_FOLDER / 'index.html'}"
    )


def _write(
    dossier: Path,
    template: str,
    questionnaire,
    questionnaire_text: str,
    simulated,
    register,
    seed: int,
    wanted: int,
) -> Path:
    """Write one edition folder and its corpus of initiatives; say what was written."""
    figures = figures_or_default(template)
    meta = demo_metadata(
        questionnaire,
        template,
        dict(register.source),
        seed=seed,
        requested_size=wanted,
        respondents=simulated.sample.height,
    )
    folder = write_edition(
        dossier,
        meta=meta,
        questionnaire_text=questionnaire_text,
        responses=simulated.responses,
        frame_attributes=simulated.frame_attributes,
    )
    statuses = simulated.responses.get_column("status")
    members = int(simulated.sample.get_column("opsn").sum())
    click.echo(f"Édition de démonstration « {meta['title']} » écrite dans {folder} :")
    click.echo(f"  {EDITION_FILE} : description de l'édition (modèle {template}, graine {seed})")
    click.echo(
        f"  {QUESTIONNAIRE_FILE} : questionnaire ({len(questionnaire.themes)} thèmes, "
        f"{len(questionnaire.questions)} questions)"
    )
    click.echo(
        f"  {RESPONSES_FILE} : {_count(simulated.responses.height)} soumissions "
        f"({_count(int((statuses == STATUS_COMPLETE).sum()))} complètes, "
        f"{_count(int((statuses == STATUS_PARTIAL).sum()))} partielles) de "
        f"{_count(simulated.sample.height)} collectivités, dont {_count(members)} membres d'un OPSN"
    )
    click.echo(
        f"  {FRAME_ATTRIBUTES_FILE} : appartenance simulée à un OPSN et âge médian simulé pour les "
        f"{_count(simulated.frame_attributes.height)} entités du registre "
        f"({_count(int(simulated.frame_attributes.filter(pl.col('opsn') == 1).height))} membres "
        "d'un OPSN)"
    )
    territory = template_frame(register.entities, figures.demo).select("code")
    initiatives = example_corpus(register).join(territory, on="code", how="semi")
    if initiatives.height:
        corpus = write_corpus(initiatives, InitiativesFolder.of_edition(folder).corpus_file)
        click.echo(
            f"  initiatives/{corpus.name} : {_count(initiatives.height)} initiatives numériques "
            f"du corpus d'exemple publiées par {_count(initiatives['code'].n_unique())} "
            "collectivités du territoire de l'édition"
        )
    else:
        click.echo(
            "  initiatives : aucune initiative du corpus d'exemple ne concerne le territoire de "
            "l'édition (pas de page d'initiatives)"
        )
    return folder


def _report(folder: Path, pdf: bool, previous: Path | None = None) -> None:
    """Build the full report of the demo edition (against `previous`) and say where it is."""
    from barometre.publish.report import build_report

    click.echo("Construction du rapport (analyse pondérée, maturité, site, données ouvertes)…")
    start = time.perf_counter()
    output = build_report(
        folder,
        folder / REPORT_FOLDER,
        pdf=pdf,
        previous=previous,
        positioning_dir=folder / POSITIONING_FOLDER,
    )
    elapsed = time.perf_counter() - start
    click.echo(f"Rapport écrit en {elapsed:.0f} s :".replace(".", ","))
    click.echo(f"  site : {output.site / 'index.html'} ({len(output.pages)} pages)")
    if output.pdf is not None:
        click.echo(f"  PDF (synthèse) : {output.pdf}")
        click.echo(f"  PDF (annexe complète) : {output.annex}")
    click.echo(f"  données ouvertes : {output.open_data}")
    if output.initiatives is not None:
        click.echo(f"  initiatives numériques : {output.site / 'initiatives.html'}")
    if output.positioning is not None:
        click.echo(
            f"  rapports de positionnement (privés, à ne pas publier) : "
            f"{_count(output.positioning_count)} dans {output.positioning}, "
            f"liens dans {output.positioning / 'liens.csv'}"
        )
    click.echo(f"Ouvrir le rapport : {output.site / 'index.html'}")
