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
@click.option(
    "--all",
    "gallery",
    is_flag=True,
    help="Les cinq baromètres de référence côte à côte dans DOSSIER, avec une page index.html "
    "qui mène à chaque rapport (ignore --template et --editions ; --size plafonne chaque taille).",
)
def command(
    dossier: Path,
    template: str,
    seed: int,
    size: int | None,
    pdf: bool,
    without_report: bool,
    editions: str | None,
    gallery: bool,
) -> None:
    """Construit une édition de démonstration complète dans DOSSIER (défaut : ./barometre-demo).

    Répondants tirés dans le registre officiel avec un biais réaliste (grandes collectivités et
    membres d'un OPSN sur-représentés), réponses simulées cohérentes avec le questionnaire et
    proches des chiffres publiés par le baromètre source ; corpus d'exemple d'initiatives
    numériques ; puis rapport complet (site, données ouvertes, rapports de positionnement) dans
    DOSSIER/rapport, sauf avec --sans-rapport. Avec --editions, une édition par année ; avec
    --all, les cinq baromètres de référence et leur page d'accueil.
    """
    if gallery:
        _gallery(dossier, seed, pdf, size)
        return
    # 1. The template and the figures its seed barometer published.
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
    _single(dossier, template, wanted, seed, pdf, without_report, register)


def _single(
    dossier: Path,
    template: str,
    wanted: int,
    seed: int,
    pdf: bool,
    without_report: bool,
    register,
) -> Path:
    """One demo edition: simulation, folder, corpus, report."""
    figures = figures_or_default(template)
    questionnaire = load_template(template)
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
    return folder


GALLERY = (
    # folder, template, years (several editions), entry of the gallery (seed, title, source, shows)
    (
        "nouvelle-caledonie",
        "nouvelle-caledonie-services-publics",
        None,
        (
            "000",
            "Maturité numérique des services publics calédoniens",
            "Observatoire numérique de Nouvelle-Calédonie",
            "Recensement des 34 services publics : chiffres sans marge d'erreur, classements "
            "«\u00a0TOP\u00a05\u00a0» des usages et des équipements (#1 à #5).",
        ),
    ),
    (
        "dinum",
        "dinum-collectivites-numerique-2024",
        None,
        (
            "002",
            "Baromètre Collectivités & Numérique 2024",
            "Direction interministérielle du numérique (DINUM), deux vagues d'enquête",
            "Six thèmes en deux vagues, chiffres clés redressés : part brute et part pondérée "
            "(correction du biais des territoires dotés d'un OPSN).",
        ),
    ),
    (
        "ey",
        "ey-france-urbaine-maturite",
        None,
        (
            "003",
            "Baromètre de la maturité numérique dans les villes françaises",
            "EY et France urbaine, 2019",
            "Neuf thèmes de maturité, les cinq stades EY 2019, l'indice global et les trois "
            "profils (stratèges, pragmatiques, retardataires).",
        ),
    ),
    (
        "jvs",
        "jvs-petites-communes-dematerialisation",
        [2015, 2016],
        (
            "004",
            "Baromètre de la dématérialisation des petites communes",
            "JVS-Mairistem, éditions 2015 et 2016",
            "Deux éditions : évolutions en points (33\u202f% → 48\u202f% pour la dématérialisation vue "
            "comme une opportunité), significatives ou non, et l'évolution du panel.",
        ),
    ),
)


def _gallery(dossier: Path, seed: int, pdf: bool, size: int | None = None) -> None:
    """The five seed barometers side by side, and the index page linking each report.

    Each at its template's size, or at most `size` respondents when given.
    """
    from barometre.publish.gallery import GalleryEntry, write_gallery
    from barometre.publish.themes import get_theme

    start = time.perf_counter()
    register = load_register()
    dossier.mkdir(parents=True, exist_ok=True)
    entries = []
    for name, template, years, (code, title, source, shows) in GALLERY:
        click.echo(f"— {title} ({template})")
        wanted = figures_or_default(template).demo.size
        wanted = min(wanted, size) if size else wanted
        if years:
            _series(dossier / name, template, years, wanted, seed, pdf, False, register)
            report = f"{name}/{years[-1]}/{REPORT_FOLDER}/index.html"
            details = ((f"Édition {years[0]}", f"{name}/{years[0]}/{REPORT_FOLDER}/index.html"),)
        else:
            _single(dossier / name, template, wanted, seed, pdf, False, register)
            report, details = f"{name}/{REPORT_FOLDER}/index.html", ()
        entries.append(GalleryEntry(code, title, source, shows, report, details))
    dinum = next(e for e in entries if e.seed == "002")
    entries.insert(
        1,
        GalleryEntry(
            "001",
            "Baromètre du développement local des services publics numériques",
            "Villes Internet × Deloitte, 2016 (initiatives numériques des communes)",
            "Les initiatives du corpus d'exemple classées par domaine : les quatre grands "
            "domaines, l'effet de la taille, celui de l'âge médian, avec leurs marges d'erreur.",
            dinum.report.replace("index.html", "initiatives.html"),
        ),
    )
    index = write_gallery(dossier, entries, get_theme("neutral"))
    elapsed = time.perf_counter() - start
    click.echo(f"Les cinq baromètres de référence écrits en {elapsed:.0f} s.")
    click.echo(f"Ouvrir la galerie : {index.resolve()}")


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
