"""`barometre register`: the register of collectivités (info, show, import, remove)."""

from __future__ import annotations

from pathlib import Path

import click
import polars as pl

from barometre.register.custom_frames import import_file
from barometre.register.frame import Register, load_register
from barometre.register.package_source import PACKAGE_NAME as PACKAGE
from barometre.register.strata import (
    STRATUM_COLUMNS,
    add_strata,
    parse_class_option,
    stratum_totals,
)
from barometre.register.workspace import Workspace, default_workspace

KIND_LABELS = {
    "commune": "communes",
    "epci": "EPCI à fiscalité propre",
    "departement": "départements",
    "region": "régions",
    "com": "collectivités d'outre-mer",
}
FIELD_LABELS = {
    "code": "code",
    "kind": "type",
    "kind_detail": "type détaillé",
    "epci_nature": "nature d'EPCI",
    "siren": "SIREN",
    "name": "nom",
    "population": "population",
    "departement": "département",
    "region": "région",
    "zone": "zone",
    "epci": "EPCI",
    "member_count": "nombre de communes membres",
    "epci_tax_regime": "régime fiscal",
    "size_class": "classe de population",
    "count": "entités",
    "region_group": "groupe de régions",
    "region_name": "nom de la région",
    "departement_name": "nom du département",
}
AREA_KINDS = {
    "region": ("region", "com"),
    "region_group": ("region", "com"),
    "departement": ("departement", "com"),
}

workspace_option = click.option(
    "--workspace",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Espace de travail du registre (défaut : $BAROMETRE_HOME/register ou ~/.local/share/barometre/register).",
)


def print_table(frame: pl.DataFrame) -> None:
    """Print a table in Markdown-like ASCII with French column labels and grouped thousands."""
    renamed = frame.rename({c: FIELD_LABELS.get(c, c) for c in frame.columns})
    with pl.Config(
        tbl_formatting="ASCII_MARKDOWN",
        tbl_hide_column_data_types=True,
        tbl_hide_dataframe_shape=True,
        tbl_rows=-1,
        tbl_cols=-1,
        tbl_width_chars=200,
        fmt_str_lengths=120,
        thousands_separator=" ",
    ):
        click.echo(str(renamed))


def _workspace(path: Path | None) -> Workspace:
    """The workspace chosen by option or environment."""
    return Workspace.at(path if path is not None else default_workspace())


def _classes(values: tuple[str, ...]):
    """Parse --classes values, as a click error in French."""
    try:
        return parse_class_option(values)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--classes") from exc


@click.group(name="register")
def command() -> None:
    """Registre des collectivités (COG 2026) : base de sondage, strates, cadres personnalisés."""


@command.command()
@click.option(
    "--classes",
    multiple=True,
    metavar="BORNES",
    help="Bornes des classes de population : 1000 (moins de 1 000 / 1 000 et plus), "
    "500,2000,3500 ou par type epci=20000,50000. Défaut : classes DGCL. Répétable.",
)
@click.option("--kind", "kinds", multiple=True, help="Ne garder que ce type d'entité (répétable).")
@click.option(
    "--by",
    "by",
    multiple=True,
    type=click.Choice(STRATUM_COLUMNS),
    help="Variables de stratification (défaut : kind_detail et size_class). Répétable.",
)
@workspace_option
def info(
    classes: tuple[str, ...], kinds: tuple[str, ...], by: tuple[str, ...], workspace: Path | None
) -> None:
    """Millésime, source, effectifs et populations par type et par strate."""
    register = load_register(_workspace(workspace))
    source = register.source
    click.echo(f"Registre des collectivités — COG {register.vintage}")
    click.echo(
        f"Source : {source['package']} {source['version']} (licence {source['licence']}), "
        f"construit le {source['build_date'][:10]}"
    )
    click.echo(f"Intégrité de l'archive : {source['integrity']}")
    if register.workspace is not None:
        click.echo(
            f"Espace de travail : {register.workspace} — cadres importés : "
            f"{', '.join(register.imported_frames) or 'aucun'} ; "
            f"attributs importés : {', '.join(register.imported_attributes) or 'aucun'}"
        )
    entities = register.entities
    unknown = [k for k in kinds if k not in register.kinds]
    if unknown:
        raise click.BadParameter(
            f"type(s) inconnu(s) : {', '.join(unknown)} ; types disponibles : {', '.join(register.kinds)}",
            param_hint="--kind",
        )
    if kinds:
        entities = entities.filter(pl.col("kind").is_in(kinds))
    click.echo("\nEffectifs par type")
    by_kind = stratum_totals(entities, by=("kind",))
    print_table(by_kind.sort(pl.col("kind").cast(pl.Enum(register.kinds))))
    strata = add_strata(entities, _classes(classes))
    columns = by or ("kind_detail", "size_class")
    click.echo(f"\nEffectifs par strate ({' × '.join(FIELD_LABELS.get(c, c) for c in columns)})")
    print_table(_with_area_names(stratum_totals(strata, by=columns), register))


def _with_area_names(table: pl.DataFrame, register: Register) -> pl.DataFrame:
    """Add the names of régions and départements next to their codes."""
    for column, kinds in AREA_KINDS.items():
        if column not in table.columns:
            continue
        level = kinds[0]
        names = register.of_kind(*kinds).select(
            pl.col("code").str.slice(1).alias(column), pl.col("name").alias(f"{level}_name")
        )
        position = table.columns.index(column) + 1
        joined = table.join(names, on=column, how="left", maintain_order="left").with_columns(
            pl.col(f"{level}_name").fill_null("")
        )
        order = [*table.columns[:position], f"{level}_name", *table.columns[position:]]
        table = joined.select(order)
    return table


def _show_entity(register: Register, entity: dict) -> None:
    """Print one entity and, for an EPCI or a commune, its links."""
    row = add_strata(pl.DataFrame([entity], schema=register.entities.schema)).row(0, named=True)
    for key, value in row.items():
        if value is not None:
            click.echo(f"{FIELD_LABELS.get(key, key):<28} {value}")
    if row["kind"] == "commune" and row.get("epci"):
        epci = register.get(row["epci"])
        if epci is not None:
            click.echo(f"{'nom de l EPCI':<28} {epci['name']}".replace("l EPCI", "l'EPCI"))
    if row["kind"] == "epci":
        members = register.members_of(row["code"]).select("code", "name", "population")
        click.echo(f"\nCommunes membres ({members.height})")
        print_table(members.sort("population", descending=True))


@command.command()
@click.argument("code")
@workspace_option
def show(code: str, workspace: Path | None) -> None:
    """Affiche une entité par son code (INSEE, SIREN, D.., R.., C..) ou cherche un nom."""
    register = load_register(_workspace(workspace))
    entity = register.get(code.strip())
    if entity is not None:
        _show_entity(register, entity)
        return
    found = register.search(code)
    if found.height == 0:
        raise click.ClickException(f"aucune entité ne correspond à « {code} » dans le registre")
    if found.height == 1:
        _show_entity(register, found.row(0, named=True))
        return
    click.echo(f"Plusieurs entités correspondent à « {code} » (20 au plus) :")
    print_table(found.select("code", "kind", "name", "departement", "population"))


@command.command(name="import")
@click.argument("fichier", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--as",
    "as_",
    type=click.Choice(["frame", "attributes"]),
    required=True,
    help="frame : autres entités (code, nom, type, population…) ; "
    "attributes : attributs d'entités existantes (code ou SIREN, puis colonnes).",
)
@click.option(
    "--kind",
    default=None,
    help="Type des entités d'un cadre quand le fichier n'a pas de colonne type.",
)
@click.option(
    "--key",
    default="code",
    show_default=True,
    help="Colonne du fichier d'attributs qui contient le code du registre (code INSEE, SIREN…).",
)
@click.option(
    "--name",
    default=None,
    help="Nom de l'import (défaut : nom du fichier). Réimporter le même nom le remplace.",
)
@click.option("--check", is_flag=True, help="Vérifie le fichier sans rien enregistrer.")
@workspace_option
def import_(
    fichier: Path,
    as_: str,
    kind: str | None,
    key: str,
    name: str | None,
    check: bool,
    workspace: Path | None,
) -> None:
    """Importe un cadre personnalisé ou des attributs (CSV ou XLSX), validés en entier."""
    space = _workspace(workspace)
    result = import_file(fichier, as_, space, kind=kind, key=key, name=name, dry_run=check)  # type: ignore[arg-type]
    if not result.valid:
        click.echo(
            f"Fichier rejeté : {len(result.errors)} erreur(s). L'espace de travail n'a pas été modifié."
        )
        print_table(result.errors_table().drop("type"))
        raise SystemExit(1)
    what = "entités" if as_ == "frame" else "lignes d'attributs"
    if check:
        click.echo(
            f"Fichier valide : {result.rows} {what} ({', '.join(result.columns)}) ; rien n'a été enregistré."
        )
        return
    click.echo(
        f"Import « {result.name} » enregistré : {result.rows} {what} ({', '.join(result.columns)})"
    )
    click.echo(f"Fichier : {result.path}")


@command.command()
@click.argument("name")
@click.option(
    "--as",
    "as_",
    type=click.Choice(["frame", "attributes"]),
    required=True,
    help="Type d'import à supprimer.",
)
@workspace_option
def remove(name: str, as_: str, workspace: Path | None) -> None:
    """Supprime un import de l'espace de travail."""
    section = "frames" if as_ == "frame" else "attributes"
    if not _workspace(workspace).remove(section, name):
        raise click.ClickException(f"aucun import « {name} » ({as_}) dans l'espace de travail")
    click.echo(f"Import « {name} » supprimé.")


@command.group(name="vintage")
def vintage() -> None:
    """Millésimes antérieurs du registre (effectifs de l'année d'une enquête)."""


@vintage.command(name="import")
@click.argument("annee", metavar="ANNÉE")
@click.option(
    "--tarball",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Archive du paquet déjà téléchargée (sinon : npm pack de la version du millésime).",
)
@workspace_option
def vintage_import(annee: str, tarball: Path | None, workspace: Path | None) -> None:
    """Importe le registre du millésime ANNÉE (2023, 2024 ou 2025) dans l'espace de travail."""
    from barometre.register.vintages import VintageError, import_vintage, vintage_folder

    space = _workspace(workspace)
    try:
        record = import_vintage(annee, tarball, space)
    except VintageError as error:
        raise click.ClickException(str(error)) from None
    from barometre.register.labels import count, kind_label, kind_rank

    counts = ", ".join(
        f"{count(n)} {kind_label(k, plural=n > 1)[:1].lower()}{kind_label(k, plural=n > 1)[1:]}"
        for k, n in sorted(record["counts"].items(), key=lambda item: kind_rank(item[0]))
    )
    click.echo(
        f"Millésime {record['cog_vintage']} importé depuis {record['package']}@{record['version']} "
        f"({counts}) dans {vintage_folder(annee, space)}."
    )


@vintage.command(name="list")
@workspace_option
def vintage_list(workspace: Path | None) -> None:
    """Liste les millésimes importés et ceux qui peuvent l'être."""
    from barometre.register.vintages import VINTAGE_VERSIONS, imported_vintages

    space = _workspace(workspace)
    found = imported_vintages(space)
    click.echo(f"Registre livré : millésime {load_register().vintage}.")
    click.echo(f"Importés dans {space.path} : {', '.join(found) if found else 'aucun'}.")
    click.echo(
        "Importables : "
        + ", ".join(f"{year} ({PACKAGE}@{v})" for year, v in VINTAGE_VERSIONS.items())
        + "."
    )
