"""`barometre maturity`: maturity scores, levels, typology, correlations and recommendations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import polars as pl

from barometre.edition.problems import EditionError
from barometre.maturity.analysis import (
    DEFAULT_BREAKDOWNS,
    MaturityOptions,
    MaturityResults,
    all_tables,
    correlation_tables,
    recommendation_tables,
    score_tables,
    typology_tables,
)
from barometre.maturity.correlations import METHODS, french_number
from barometre.maturity.levels import DEFAULT_PRESET, PRESETS
from barometre.maturity.sample import MaturitySample
from barometre.maturity.scores import OVERALL, AnswerError
from barometre.maturity.typology import (
    DEFAULT_BOOTSTRAP,
    DEFAULT_K,
    DEFAULT_N_INIT,
    DEFAULT_SEED,
)
from barometre.maturity.variables import VariableError
from barometre.register.frame import load_register
from barometre.register.workspace import Workspace, default_workspace
from barometre.results.maturity_sample import sample_from_edition, sample_from_files
from barometre.stats.errors import StatsError

DEFAULT_OUT = "maturite"
FORMATS = ("csv", "parquet")
USER_ERRORS = (AnswerError, EditionError, StatsError, VariableError, ValueError, FileNotFoundError)


class MaturityFailed(click.ClickException):
    """A user-facing failure, printed in French."""

    def show(self, file: Any = None) -> None:
        click.echo(f"Erreur : {self.format_message()}", err=True)


def sample_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by every subcommand: inputs, weights, levels, output."""
    options = [
        click.option(
            "--edition",
            type=click.Path(file_okay=False, exists=True, path_type=Path),
            help="Dossier d'édition (edition.yaml, questionnaire.yaml, responses.csv…).",
        ),
        click.option(
            "--questionnaire",
            type=click.Path(dir_okay=False, exists=True, path_type=Path),
            help="Questionnaire YAML, à la place d'une édition (avec --responses).",
        ),
        click.option(
            "--responses",
            type=click.Path(dir_okay=False, exists=True, path_type=Path),
            help="Fichier de réponses CSV au format d'une édition (avec --questionnaire).",
        ),
        click.option(
            "--attributes",
            type=click.Path(dir_okay=False, exists=True, path_type=Path),
            help="Attributs de la base de sondage (CSV avec une colonne code), avec --responses.",
        ),
        click.option(
            "--weights",
            type=click.Path(dir_okay=False, exists=True, path_type=Path),
            help="Poids CSV (colonnes code, weight ou poids, strate facultative), par exemple le "
            "fichier _poids de « barometre analyse ». Défaut : calage sur le registre.",
        ),
        click.option(
            "--calibration/--no-calibration",
            default=True,
            show_default=True,
            help="Sans --weights : caler les poids sur les marges de l'édition (comme « barometre "
            "analyse ») ou s'en tenir au plan stratifié du registre.",
        ),
        click.option(
            "--workspace",
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            help="Espace de travail du registre (bases et attributs importés).",
        ),
        click.option(
            "--preset",
            type=click.Choice(list(PRESETS)),
            default=None,
            help="Échelle de niveaux : ey2023 (6 niveaux) ou ey2019 (5 stades) ; par défaut celle "
            f"que nomme le questionnaire (réglage maturity_levels), sinon {DEFAULT_PRESET}.",
        ),
        click.option(
            "--thresholds",
            default=None,
            help="Seuils personnalisés entre niveaux, sur 0–100, séparés par des virgules.",
        ),
        click.option(
            "--min-share",
            type=click.FloatRange(0, 1),
            default=0.5,
            show_default=True,
            help="Part minimale (en poids) d'items renseignés pour calculer un score de thème.",
        ),
        click.option(
            "--by",
            "breakdowns",
            multiple=True,
            help="Ventilation des chiffres de population (colonne du registre ou des attributs ; "
            "répétable). Défaut : kind_detail et size_class.",
        ),
        click.option(
            "--strategy-theme",
            "strategy_themes",
            multiple=True,
            help="Thème(s) de stratégie pour nommer les profils (défaut : thèmes « strat… »).",
        ),
        click.option(
            "--out",
            type=click.Path(file_okay=False, path_type=Path),
            default=DEFAULT_OUT,
            show_default=True,
            help="Dossier où écrire les tables.",
        ),
        click.option(
            "--format",
            "fmt",
            type=click.Choice(FORMATS),
            default="csv",
            show_default=True,
            help="Format des tables écrites.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


seed_option = click.option(
    "--seed",
    type=int,
    default=DEFAULT_SEED,
    show_default=True,
    help="Graine aléatoire (k-moyennes, bootstrap, permutations) : même graine, mêmes résultats.",
)


def typology_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options of the typology."""
    options = [
        click.option(
            "--k",
            "k",
            default=str(DEFAULT_K),
            show_default=True,
            help="Nombre de profils (2 à 10), ou « auto » : meilleure silhouette entre 2 et 6.",
        ),
        click.option(
            "--bootstrap",
            type=click.IntRange(0, 1000),
            default=DEFAULT_BOOTSTRAP,
            show_default=True,
            help="Nombre de rééchantillonnages pour mesurer la stabilité (indice de Rand ajusté).",
        ),
        click.option(
            "--n-init",
            type=click.IntRange(1, 100),
            default=DEFAULT_N_INIT,
            show_default=True,
            help="Nombre d'initialisations des k-moyennes.",
        ),
        click.option(
            "--name",
            "names",
            multiple=True,
            help="Renommer un profil : NUMÉRO=NOM (répétable), ex. --name 2=Intermédiaires.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def correlation_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options of the correlations."""
    options = [
        click.option(
            "--x",
            "xs",
            multiple=True,
            help="Variable x (thème, _global, question, colonne du registre ou des attributs, "
            "log10(population)…) ; répétable, associée au --y de même rang.",
        ),
        click.option("--y", "ys", multiple=True, help="Variable y ; répétable (voir --x)."),
        click.option(
            "--control",
            "controls",
            multiple=True,
            help="Variable de contrôle (corrélation partielle), ex. log10(population) ; répétable.",
        ),
        click.option(
            "--method",
            type=click.Choice(list(METHODS)),
            default="spearman",
            show_default=True,
            help="Corrélation de rangs (spearman) ou linéaire (pearson), pondérée.",
        ),
        click.option(
            "--permutations",
            type=click.IntRange(0, 100000),
            default=0,
            show_default=True,
            help="Nombre de permutations pour une p-valeur par permutation (0 : non calculée).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _parse_k(value: str) -> int | str:
    """--k value: an integer ≥ 2 or 'auto'."""
    if value == "auto":
        return value
    try:
        k = int(value)
    except ValueError:
        raise click.BadParameter("entier ou « auto » attendu", param_hint="--k") from None
    if not 2 <= k <= 10:
        raise click.BadParameter("le nombre de profils doit être entre 2 et 10", param_hint="--k")
    return k


def _parse_names(values: tuple[str, ...]) -> dict[int, str]:
    """--name 2=Intermédiaires values."""
    names = {}
    for value in values:
        number, sep, name = value.partition("=")
        if not sep or not number.strip().isdigit() or not name.strip():
            raise click.BadParameter(f"« {value} » : NUMÉRO=NOM attendu", param_hint="--name")
        names[int(number)] = name.strip()
    return names


def _parse_thresholds(value: str | None) -> tuple[float, ...] | None:
    """--thresholds '10,30,50'."""
    if value is None:
        return None
    try:
        return tuple(float(v.replace(" ", "")) for v in value.split(",") if v.strip())
    except ValueError:
        raise click.BadParameter(
            f"« {value} » : nombres séparés par des virgules attendus", param_hint="--thresholds"
        ) from None


def _load(params: dict[str, Any]) -> MaturitySample:
    """The sample from --edition or --questionnaire/--responses."""
    workspace = params["workspace"]
    register = load_register(Workspace.at(workspace if workspace else default_workspace()))
    strategy = tuple(params["strategy_themes"])
    if params["edition"] is not None:
        if params["questionnaire"] or params["responses"]:
            raise click.UsageError("Donnez --edition, ou bien --questionnaire et --responses.")
        return sample_from_edition(
            params["edition"], params["weights"], register, strategy, params["calibration"]
        )
    if params["questionnaire"] is None or params["responses"] is None:
        raise click.UsageError("Donnez --edition DOSSIER, ou --questionnaire et --responses.")
    return sample_from_files(
        params["questionnaire"],
        params["responses"],
        params["weights"],
        params["attributes"],
        register,
        strategy,
        params["calibration"],
    )


def _options(params: dict[str, Any]) -> MaturityOptions:
    """Analysis options from the command-line parameters."""
    xs, ys = params.get("xs", ()), params.get("ys", ())
    if len(xs) != len(ys):
        raise click.UsageError("Donnez autant de --x que de --y (ils vont par paires).")
    return MaturityOptions(
        preset=params["preset"],
        thresholds=_parse_thresholds(params["thresholds"]),
        min_answered_share=params["min_share"],
        breakdowns=tuple(params["breakdowns"]) or DEFAULT_BREAKDOWNS,
        k=_parse_k(params.get("k", str(DEFAULT_K))),
        seed=params.get("seed", DEFAULT_SEED),
        n_init=params.get("n_init", DEFAULT_N_INIT),
        n_bootstrap=params.get("bootstrap", DEFAULT_BOOTSTRAP),
        profile_names=_parse_names(params.get("names", ())),
        method=params.get("method", "spearman"),
        pairs=tuple(zip(xs, ys, strict=True)),
        controls=tuple(params.get("controls", ())),
        n_permutations=params.get("permutations", 0),
        codes=tuple(params.get("codes", ())),
    )


def _run(
    params: dict[str, Any], compute: Callable[[MaturitySample, MaturityOptions], MaturityResults]
) -> MaturityResults:
    """Load, compute, write: user errors become French messages, nothing is written on error."""
    try:
        options = _options(params)
        sample = _load(params)
        results = compute(sample, options)
    except USER_ERRORS as error:
        raise MaturityFailed(str(error)) from error
    written = results.write(params["out"], params["fmt"])
    click.echo(f"Pondération : {sample.design_source} ({sample.design.n} répondants).")
    _summaries(results)
    plural = "s" if len(written) > 1 else ""
    click.echo(
        f"{len(written)} table{plural} écrite{plural} dans {params['out']} : "
        + ", ".join(p.name for p in written)
    )
    return results


def _summaries(results: MaturityResults) -> None:
    """Short French summaries of what was computed."""
    if "scores_population" in results.tables:
        overall = results.tables["scores_population"].filter(
            (pl.col("breakdown") == "ensemble") & (pl.col("theme") == OVERALL)
        )
        if overall.height:
            row = overall.row(0, named=True)
            click.echo(
                f"Indice global de maturité : {french_number(row['estimate'], 1)} / 100 "
                f"[{french_number(row['ci_low'], 1)} ; {french_number(row['ci_high'], 1)}] "
                f"(n = {row['n']})."
            )
        missing = results.tables["scores_missing"]
        total = missing.filter(pl.col("theme") == OVERALL)
        if total.height and total["n_missing"].item():
            click.echo(
                f"Scores manquants (trop peu de réponses) : {total['n_missing'].item()} "
                "répondants sans indice global."
            )
    if results.typology is not None:
        t = results.typology
        shares = results.tables["typology_shares"].filter(pl.col("breakdown") == "ensemble")
        click.echo(
            f"Typologie en {t.k} profils : silhouette {french_number(t.silhouette)}, "
            f"stabilité (ARI moyen) {french_number(t.stability)}."
        )
        for row in shares.iter_rows(named=True):
            click.echo(
                f"  {row['profile']}. {row['profile_name']} : {french_number(100 * row['estimate'], 1)} % "
                f"[{french_number(100 * row['ci_low'], 1)} ; {french_number(100 * row['ci_high'], 1)}]"
            )
    for c in results.correlations:
        click.echo(c.sentence())
    for note in results.notes:
        click.echo(f"Attention : {note}")
    if "theme_label" in results.tables.get("recommendations_themes", pl.DataFrame()).columns:
        _recommendations(results)


def _recommendations(results: MaturityResults) -> None:
    """One respondent's levels and next steps, theme by theme, in French."""
    themes = results.tables["recommendations_themes"]
    items = results.tables["recommendations_items"]
    for code in themes.get_column("code").unique(maintain_order=True).to_list():
        click.echo(f"Collectivité {code} :")
        for row in themes.filter(pl.col("code") == code).iter_rows(named=True):
            if row["level"] is None:
                click.echo(f"  {row['theme_label']} : score non calculé (trop peu de réponses).")
                continue
            head = (
                f"  {row['theme_label']} : {french_number(row['score'], 1)} / 100, "
                f"niveau « {row['level']} »"
            )
            if row["next_level"] is None:
                click.echo(f"{head} (niveau le plus élevé).")
            else:
                click.echo(
                    f"{head} → viser « {row['next_level']} » : {row['next_level_description']}"
                )
            steps = items.filter((pl.col("code") == code) & (pl.col("theme") == row["theme"]))
            for step in steps.iter_rows(named=True):
                click.echo(
                    f"      • {step['question_label'].rstrip('. ')} : de « {step['current_label']} » à "
                    f"« {step['next_label']} »."
                )


@click.group(name="maturity")
def command() -> None:
    """Maturité : scores par thème, niveaux, typologie, corrélations, recommandations.

    Les tables sont écrites en CSV (ou Parquet) dans le dossier --out ; chaque chiffre de
    population est pondéré et accompagné de son intervalle de confiance.
    """


def _subcommand(name: str, help_text: str, *decorators):
    """Register a subcommand sharing the sample options."""

    def wrap(compute: Callable[[MaturitySample, MaturityOptions], MaturityResults]):
        def run(**params: Any) -> None:
            _run(params, compute)

        run.__doc__ = help_text
        for decorator in reversed((sample_options, *decorators)):
            run = decorator(run)
        return command.command(name=name, help=help_text)(run)

    return wrap


_subcommand(
    "scores",
    "Scores par thème et indice global, niveaux, chiffres de population et recommandations.",
)(score_tables)
_subcommand(
    "typology",
    "Typologie des répondants (k-moyennes sur les scores de thème), profils nommés.",
    seed_option,
    typology_options,
)(typology_tables)
_subcommand(
    "correlations",
    "Corrélations pondérées : thème × thème, scores × population et attributs.",
    seed_option,
    correlation_options,
)(correlation_tables)
code_option = click.option(
    "--code",
    "codes",
    multiple=True,
    required=True,
    help="Code de la collectivité (code INSEE, SIREN…) dont on veut les recommandations ; "
    "répétable.",
)

_subcommand(
    "recommendations",
    "Recommandations d'une collectivité : niveau atteint et niveau suivant, par thème et item.",
    code_option,
)(recommendation_tables)
_subcommand(
    "all",
    "Tout : scores, niveaux, typologie, corrélations et recommandations.",
    seed_option,
    typology_options,
    correlation_options,
)(all_tables)
