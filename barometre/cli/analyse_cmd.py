"""`barometre analyse`: calibrated estimates with margins of error, as one tidy table."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import click
import polars as pl

from barometre.stats.analysis import AnalysisOptions, analyse
from barometre.stats.calibration import METHODS
from barometre.stats.errors import StatsError
from barometre.stats.intervals import CI_METHODS

DEFAULT_MARGINS = "kind_detail*size_class,region_group"


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


def _frame(attributes: pl.DataFrame | None) -> pl.DataFrame:
    """The register (with strata and region_group) joined with optional attributes."""
    from barometre.register.frame import load_register
    from barometre.register.strata import add_strata, region_group_expr

    frame = add_strata(load_register().entities).with_columns(region_group_expr())
    if attributes is None:
        return frame
    if "code" not in attributes.columns:
        raise AnalysisFailed("Fichier d'attributs : colonne « code » absente (ligne 1).")
    attributes = attributes.drop("__line", strict=False).with_columns(
        pl.col("code").cast(pl.String)
    )
    clash = [c for c in attributes.columns if c in frame.columns and c != "code"]
    return frame.join(attributes.drop(clash), on="code", how="left")


def _write(frame: pl.DataFrame, path: Path) -> Path:
    """Write CSV or Parquet to a temporary sibling file; the caller renames it into place."""
    tmp = Path(tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)[1])
    if path.suffix.lower() == ".parquet":
        frame.write_parquet(tmp)
    else:
        frame.write_csv(tmp)
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
    help=f"Marges de calage, séparées par des virgules ; « a*b » croise deux variables (défaut : celles de edition.yaml, sinon « {DEFAULT_MARGINS} »).",
)
@click.option(
    "--breakdowns",
    default="",
    help="Ventilations (domaines), séparées par des virgules : size_class,kind_detail,region_group,opsn…",
)
@click.option(
    "--method",
    type=click.Choice(METHODS),
    default="raking",
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
    default="logit",
    help="Intervalle de confiance des proportions (défaut : logit).",
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
    default=5,
    help="Effectif minimal : en dessous, la valeur est masquée (défaut : 5).",
)
@click.option(
    "--exclude-nsp",
    is_flag=True,
    help="Exclure « sans réponse / ne sait pas » du dénominateur (par défaut c'est une catégorie).",
)
@click.option(
    "--strata",
    default=None,
    help="Variable de stratification du tirage (ex. kind_detail) : poids N_h/n_h et correction de population finie.",
)
@click.option(
    "--min-cell",
    type=click.IntRange(min=0),
    default=1,
    help="Une cellule de marge avec moins de répondants est regroupée avec sa voisine (défaut : 1 ; 0 : refuser les cellules vides).",
)
@click.option(
    "--variance",
    type=click.Choice(["linearisation", "bootstrap", "jackknife"]),
    default="linearisation",
    help="Méthode d'erreur-type : linéarisation (défaut) ou poids répliqués recalés (bootstrap de Rao–Wu, jackknife).",
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
    breakdowns: str,
    method: str,
    bounds_text: str | None,
    ci: str,
    level: float,
    min_n: int,
    exclude_nsp: bool,
    strata: str | None,
    min_cell: int,
    variance: str,
    replicates: int,
    seed: int,
) -> None:
    """Estimations calées avec marges d'erreur pour tous les indicateurs d'un questionnaire.

    SOURCE est un dossier d'édition (edition.yaml, questionnaire.yaml, responses.csv,
    frame_attributes.csv) ou un fichier de réponses (CSV, XLSX, Parquet ; une ligne par
    répondant, une colonne par question) accompagné de --questionnaire.
    """
    from barometre.edition.problems import EditionError
    from barometre.questionnaire.issues import QuestionnaireError

    try:
        attributes = read_table(attributes_path) if attributes_path else None
        meta: dict = {}
        if source.is_dir():
            from barometre.edition.files import read_edition

            edition = read_edition(source)
            questionnaire = edition.questionnaire
            responses = edition.responses.with_columns(pl.all().cast(pl.String))
            meta = edition.meta
            if attributes is None and edition.frame_attributes is not None:
                attributes = edition.frame_attributes.with_columns(pl.all().cast(pl.String))
        else:
            if questionnaire_path is None:
                raise click.UsageError(
                    "--questionnaire est obligatoire quand SOURCE est un fichier de réponses."
                )
            from barometre.questionnaire.files import load_any

            questionnaire = load_any(questionnaire_path)
            responses = read_table(source)
        if margins is None:
            margins = ",".join(meta.get("calibration", {}).get("margins", [])) or DEFAULT_MARGINS
        options = AnalysisOptions(
            margins=tuple(m for m in margins.split(",") if m.strip()),
            breakdowns=tuple(b.strip() for b in breakdowns.split(",") if b.strip()),
            method=method,
            bounds=_bounds(bounds_text),
            ci=ci,
            level=level,
            min_n=min_n,
            exclude_nsp=exclude_nsp,
            strata=strata,
            min_cell=min_cell if min_cell > 0 else None,
            variance=variance,
            replicates=replicates,
            seed=seed,
        )
        result = analyse(responses, questionnaire, _frame(attributes), options)
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

    cal = result.diagnostics["calibration"]
    click.echo(
        f"{result.diagnostics['n_respondents']} répondants, base de sondage de {result.diagnostics['population_size']} entités."
    )
    if cal.get("method", "none") != "none":
        click.echo(
            f"Calage {cal['method']} : {cal['iterations']} itération(s), écart relatif maximal aux marges "
            f"{cal['max_relative_residual']:.1e}, rapports de poids g entre {cal['g_min']:.3g} et {cal['g_max']:.3g}."
        )
    click.echo(
        f"Effet de plan de Kish {cal['deff_kish']:.2f}, taille effective {cal['n_effective']:.0f}."
    )
    for warning in result.diagnostics["warnings"]:
        click.echo(f"Attention : {warning}")
    click.echo(f"{result.table.height} estimations écrites dans {output}")
    click.echo(f"Poids : {weights_path} ; diagnostics : {diag_path}")
