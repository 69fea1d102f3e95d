"""`barometre analyse`: calibrated estimates with margins of error, as one tidy table."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import click
import polars as pl

from barometre.register.labels import count, number, variable_label
from barometre.register.spreadsheet_cells import neutralise_frame
from barometre.results.options import DEFAULT_BREAKDOWNS
from barometre.stats.analysis import DEFAULT_MARGINS, MAX_RESPONDENT_SHARE
from barometre.stats.calibration import METHODS
from barometre.stats.design import DEFAULT_LONELY_PSU, LONELY_PSU
from barometre.stats.errors import StatsError
from barometre.stats.intervals import CI_METHODS, DEFAULT_CI


class AnalysisFailed(click.ClickException):
    """A user-facing failure, printed in French."""

    def show(self, file=None) -> None:
        click.echo(f"Erreur : {self.format_message()}", err=True)


def read_table(path: Path) -> pl.DataFrame:
    """A CSV, XLSX/ODS or Parquet file as text columns, with `__line` = line number in the file."""
    if path.suffix.lower() == ".parquet":
        frame = pl.read_parquet(path)
        return frame.with_columns(pl.all().cast(pl.String), __line=pl.int_range(pl.len()) + 2)
    from barometre.register.tabular_files import LINE, UnreadableFile, read_raw_table

    try:
        raw = read_raw_table(path)
    except UnreadableFile as error:
        raise AnalysisFailed(str(error)) from None
    names = [c for c in raw.rows.columns if c != LINE]
    return raw.rows.rename(dict(zip(names, raw.header, strict=False))).rename({LINE: "__line"})


def _write(frame: pl.DataFrame, path: Path) -> Path:
    """Write CSV or Parquet to a temporary sibling file; the caller renames it into place."""
    tmp = Path(tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)[1])
    if path.suffix.lower() == ".parquet":
        frame.write_parquet(tmp)
    else:
        neutralise_frame(frame).write_csv(tmp)
    return tmp


def _bounds(text: str | None) -> tuple[float, float] | None:
    """'0.3,3' → (0.3, 3.0)."""
    if not text:
        return None
    try:
        low, high = (float(v.replace(" ", "")) for v in text.split(","))
    except ValueError:
        raise click.BadParameter(
            "attendu : deux nombres « L,U », par ex. 0.3,3", param_hint="--bounds"
        ) from None
    return low, high


@click.command(name="analyse")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--questionnaire",
    "-q",
    "questionnaire_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Questionnaire (YAML ou XLSForm) ; inutile si SOURCE est un dossier d'édition.",
)
@click.option(
    "--attributes",
    "-a",
    "attributes_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Fichier d'attributs de la base de sondage (colonne code + attributs, ex. opsn), joint au registre.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("resultats.csv"),
    help="Table des résultats, .csv ou .parquet (défaut : resultats.csv) ; les poids et diagnostics sont écrits à côté (_poids, _diagnostics.json).",
)
@click.option(
    "--margins",
    default=None,
    help=f"Marges de calage, séparées par des virgules ; « a*b » croise deux variables (défaut : celles de edition.yaml, sinon « {','.join(DEFAULT_MARGINS)} »).",
)
@click.option(
    "--breakdowns",
    default=None,
    help=f"Ventilations (domaines), séparées par des virgules, ex. size_class,opsn ; « "
    f"» (vide) : aucune (défaut : celles de edition.yaml, sinon « {','.join(DEFAULT_BREAKDOWNS)} »).",
)
@click.option(
    "--method",
    type=click.Choice(METHODS),
    default=None,
    help="Méthode de calage : raking (ratissage, défaut), poststrat, logit (bornée), linear, none.",
)
@click.option(
    "--bounds",
    "bounds_text",
    default=None,
    help="Bornes du rapport de poids g = w/d, « L,U » (ex. 0.3,3) ; obligatoires pour logit.",
)
@click.option(
    "--ci",
    type=click.Choice(CI_METHODS),
    default=DEFAULT_CI,
    help="Intervalle de confiance des proportions (défaut : logit-floor, logit avec un effet de plan d'au moins 1).",
)
@click.option(
    "--level",
    type=click.FloatRange(0.5, 0.999),
    default=0.95,
    help="Niveau de confiance (défaut : 0.95).",
)
@click.option(
    "--min-n",
    type=click.IntRange(min=1),
    default=None,
    help="Effectif minimal : en dessous, la valeur est masquée (défaut : celui de edition.yaml, sinon 5).",
)
@click.option(
    "--exclude-nsp",
    is_flag=True,
    help="Exclure « sans réponse / ne sait pas » du dénominateur (par défaut c'est une catégorie).",
)
@click.option(
    "--strata",
    default=None,
    help="Strates de la correction de population finie, poids N_h/n_h (ex. kind_detail ou kind_detail*size_class) ; « none » : aucune (défaut : les cellules de la première marge de calage).",
)
@click.option(
    "--fpc/--no-fpc",
    default=None,
    help="Correction de population finie avec les effectifs N_h de la base de sondage (défaut : oui).",
)
@click.option(
    "--lonely-psu",
    type=click.Choice(LONELY_PSU),
    default=None,
    help=f"Strate à un seul répondant, comme survey.lonely.psu de R (défaut : {DEFAULT_LONELY_PSU}).",
)
@click.option(
    "--exclude",
    multiple=True,
    help="Exclure de la population cible les entités qui remplissent toutes les conditions, ex. « kind=commune,population<3500 » ou « size_class=moins de 500 hab. » (répétable).",
)
@click.option(
    "--population-label",
    default=None,
    help="Libellé de la population étudiée, repris par les diagnostics et le rapport.",
)
@click.option(
    "--vintage",
    default=None,
    help="Millésime du registre pour les effectifs de la population (ex. 2024, ou « survey » : celui de l'année de l'édition) ; défaut : le registre livré.",
)
@click.option(
    "--min-cell",
    type=click.IntRange(min=0),
    default=1,
    help="Une cellule de marge avec moins de répondants est regroupée avec sa voisine, avec un avertissement (défaut : 1 ; 0 : refuser les cellules vides).",
)
@click.option(
    "--max-share",
    type=click.FloatRange(0, 1, min_open=True),
    default=None,
    help=f"Regroupement refusé si un répondant y représente plus de cette part de la population (défaut : {MAX_RESPONDENT_SHARE:g}).",
)
@click.option(
    "--fallback/--no-fallback",
    default=True,
    help="Si le calage échoue : repli documenté (cellules regroupées, moins de marges, post-stratification, sans calage) ou erreur.",
)
@click.option(
    "--variance",
    type=click.Choice(["linearisation", "bootstrap", "jackknife"]),
    default="linearisation",
    help="Méthode d'erreur-type : linéarisation (défaut) ou poids répliqués recalés (bootstrap de R as.svrepdesign, jackknife).",
)
@click.option(
    "--replicates",
    type=click.IntRange(min=2),
    default=200,
    help="Nombre de répliques bootstrap (défaut : 200).",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    help="Graine du bootstrap, mêmes résultats à graine égale (défaut : 0).",
)
def command(
    source: Path,
    questionnaire_path: Path | None,
    attributes_path: Path | None,
    output: Path,
    margins: str | None,
    breakdowns: str | None,
    method: str | None,
    bounds_text: str | None,
    ci: str,
    level: float,
    min_n: int | None,
    exclude_nsp: bool,
    strata: str | None,
    fpc: bool | None,
    lonely_psu: str | None,
    exclude: tuple[str, ...],
    population_label: str | None,
    vintage: str | None,
    min_cell: int,
    max_share: float | None,
    fallback: bool,
    variance: str,
    replicates: int,
    seed: int,
) -> None:
    """Estimations calées avec marges d'erreur pour tous les indicateurs d'un questionnaire.

    SOURCE est un dossier d'édition (edition.yaml, questionnaire.yaml, responses.csv,
    frame_attributes.csv) ou un fichier de réponses (CSV, XLSX, Parquet ; une ligne par
    répondant, une colonne par question) accompagné de --questionnaire. Sur une édition, la table
    est celle du rapport (mêmes population, plan, calage et ventilations par défaut).
    """
    from barometre.edition.problems import EditionError
    from barometre.questionnaire.issues import QuestionnaireError
    from barometre.results.options import SurveyOptions
    from barometre.results.survey import Survey

    options = SurveyOptions(
        margins=tuple(m for m in margins.split(",") if m.strip()) if margins else None,
        breakdowns=None
        if breakdowns is None
        else tuple(b.strip() for b in breakdowns.split(",") if b.strip()),
        method=method,
        bounds=_bounds(bounds_text),
        ci=ci,
        level=level,
        min_n=min_n,
        exclude_nsp=exclude_nsp,
        strata=strata,
        fpc=fpc,
        lonely_psu=lonely_psu,
        min_cell=min_cell if min_cell > 0 else None,
        max_respondent_share=max_share,
        fallback=fallback,
        variance=variance,
        replicates=replicates,
        seed=seed,
        exclude=exclude,
        population_label=population_label,
        vintage=vintage,
    )
    try:
        attributes = read_table(attributes_path) if attributes_path else None
        if source.is_dir():
            survey = Survey.from_edition(source, options, attributes=attributes)
        else:
            if questionnaire_path is None:
                raise click.UsageError(
                    "--questionnaire est obligatoire quand SOURCE est un fichier de réponses."
                )
            from barometre.questionnaire.files import load_any

            survey = Survey.from_responses(
                read_table(source), load_any(questionnaire_path), attributes, options
            )
        result = survey.analysis
    except (StatsError, EditionError, QuestionnaireError) as error:
        raise AnalysisFailed(str(error)) from None

    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    weights_path = output.with_name(f"{output.stem}_poids{output.suffix}")
    diag_path = output.with_name(f"{output.stem}_diagnostics.json")
    staged = [
        (_write(result.table, output), output),
        (_write(result.weights, weights_path), weights_path),
    ]
    fd, tmp = tempfile.mkstemp(prefix=f".{diag_path.name}.", dir=diag_path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(result.diagnostics, fh, ensure_ascii=False, indent=2, default=str)
    staged.append((Path(tmp), diag_path))
    for tmp_path, final in staged:
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, final)
    _summary(result.diagnostics)
    click.echo(f"{count(result.table.height)} estimations écrites dans {output}")
    click.echo(f"Poids : {weights_path} ; diagnostics : {diag_path}")


def _fr(value: float, spec: str) -> str:
    """A number formatted by `spec` with the French decimal comma (« 5,5e-11 », « 0,409 »)."""
    return format(value, spec).replace(".", ",")


def _summary(diagnostics: dict) -> None:
    """What was done, in French: population, design, calibration, warnings."""
    population = diagnostics["population"]
    design = diagnostics["design"]
    cal = diagnostics["calibration"]
    click.echo(
        f"{count(diagnostics['n_respondents'])} répondants ; population étudiée : "
        f"{population['description']}."
    )
    if not diagnostics["calibration_ladder"]["attempts"]:  # else the first warning says it
        click.echo(diagnostics["calibration_ladder"]["sentence"])
    if cal.get("method", "none") != "none":
        click.echo(
            f"Calage {cal['method']} : {cal['iterations']} itération(s), écart relatif maximal aux "
            f"marges {_fr(cal['max_relative_residual'], '.1e')}, rapports de poids g entre "
            f"{_fr(cal['g_min'], '.3g')} et {_fr(cal['g_max'], '.3g')}."
        )
    strata = (
        "aucune strate"
        if design["strata"] == "none"
        else f"strates {variable_label(design['strata'])}"
    )
    fpc = "avec" if design["fpc"] else "sans"
    click.echo(
        f"Plan : {strata} ({design['n_strata']}), {fpc} correction de population finie"
        + (
            f", {len(design['census_strata'])} strate(s) recensée(s)"
            if design["census_strata"]
            else ""
        )
        + "."
    )
    click.echo(
        f"Effet de plan de Kish {number(cal['deff_kish'], 2)}, taille effective "
        f"{count(cal['n_effective'])}."
    )
    if diagnostics.get("out_of_frame"):
        click.echo(
            f"{diagnostics['out_of_frame']} répondant(s) hors base de sondage gardé(s) à part "
            "(ni pondérés ni estimés)."
        )
    for warning in diagnostics["warnings"]:
        click.echo(f"Attention : {warning}")
