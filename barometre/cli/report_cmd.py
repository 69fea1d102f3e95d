"""`barometre report`: the key-figures report (site, PDF), open data and positioning reports."""

from __future__ import annotations

from pathlib import Path

import click

from barometre.publish.peer_groups import MIN_GROUP_SIZE
from barometre.publish.positioning import LINKS_FILE, PEER_MIN
from barometre.publish.themes import DEFAULT_THEME, THEMES


class ReportFailed(click.ClickException):
    """A user-facing failure, printed in French."""

    def show(self, file=None) -> None:
        click.echo(f"Erreur : {self.format_message()}", err=True)


@click.command(name="report")
@click.argument("edition", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("rapport"),
    show_default=True,
    help="Dossier du site statique (remplacé d'un bloc s'il existe).",
)
@click.option(
    "--pdf",
    is_flag=True,
    help="Écrire aussi la synthèse rapport.pdf (couverture, chiffres clés, méthode) et "
    "l'annexe complète rapport-annexe.pdf (A4).",
)
@click.option(
    "--theme",
    type=click.Choice(list(THEMES)),
    default=DEFAULT_THEME,
    show_default=True,
    help="Thème graphique : neutral (neutre) ou dsfr (déploiements de l'État).",
)
@click.option(
    "--previous",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Dossier de l'édition précédente : évolutions en points, marquées quand elles sont significatives.",
)
@click.option(
    "--microdata",
    is_flag=True,
    help="Ajouter aux données ouvertes les microdonnées pseudonymisées (strates grossières, k ≥ 5).",
)
@click.option(
    "--positionnement",
    "positioning_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=f"Dossier PRIVÉ où écrire un rapport de positionnement par répondant (et {LINKS_FILE}).",
)
@click.option(
    "--secret",
    default=None,
    help="Secret des liens privés (défaut : variable BAROMETRE_SECRET_POSITIONNEMENT, sinon secret.txt du dossier privé).",
)
@click.option(
    "--pairs-min",
    "peer_min",
    type=click.IntRange(min=MIN_GROUP_SIZE),
    default=PEER_MIN,
    show_default=True,
    help="Taille minimale d'un groupe de pairs ; en dessous, il est élargi (même type, puis "
    f"ensemble) ; jamais moins de {MIN_GROUP_SIZE} : sous ce seuil, rien n'est montré sur les pairs.",
)
@click.option(
    "--pdf-positionnement",
    "positioning_pdf_codes",
    multiple=True,
    help="Code d'une collectivité dont le rapport de positionnement est aussi écrit en PDF (répétable).",
)
def command(
    edition: Path,
    out: Path,
    pdf: bool,
    theme: str,
    previous: Path | None,
    microdata: bool,
    positioning_dir: Path | None,
    secret: str | None,
    peer_min: int,
    positioning_pdf_codes: tuple[str, ...],
) -> None:
    """Rapport de chiffres clés d'une ÉDITION : site statique, PDF, données ouvertes.

    Calcule les estimations pondérées (barometre analyse) et la maturité, puis écrit dans --out
    un site autonome (chiffres clés, une page par thème, maturité, méthodologie), le paquet de
    données ouvertes (donnees/datapackage.json) et les tables du tableau de bord (resultats/).
    """
    from barometre.edition.problems import EditionError
    from barometre.publish.report import build_report
    from barometre.stats.errors import StatsError

    if positioning_pdf_codes and positioning_dir is None:
        raise click.UsageError("--pdf-positionnement demande --positionnement DOSSIER.")
    try:
        output = build_report(
            edition,
            out,
            pdf=pdf,
            theme=theme,
            previous=previous,
            microdata=microdata,
            positioning_dir=positioning_dir,
            secret=secret,
            peer_min=peer_min,
        )
    except (EditionError, StatsError, ValueError) as error:
        raise ReportFailed(str(error)) from None
    for warning in output.warnings:
        click.echo(f"Attention : {warning}")
    click.echo(
        f"Rapport écrit dans {output.site} ({len(output.pages)} pages) : {output.site / 'index.html'}"
    )
    if output.pdf:
        click.echo(f"PDF (synthèse) : {output.pdf}")
        click.echo(f"PDF (annexe complète) : {output.annex}")
    click.echo(f"Données ouvertes : {output.open_data}")
    click.echo(f"Tables du tableau de bord : {output.results}")
    if output.positioning:
        click.echo(
            f"{output.positioning_count} rapports de positionnement (privés) dans {output.positioning} ; "
            f"liens : {output.positioning / LINKS_FILE}"
        )
        if positioning_pdf_codes:
            import polars as pl

            from barometre.publish.positioning import positioning_pdf

            links = pl.read_csv(
                output.positioning / LINKS_FILE, schema_overrides={"code": pl.String}
            )
            for code in positioning_pdf_codes:
                found = links.filter(pl.col("code") == code)
                if found.height == 0:
                    raise ReportFailed(
                        f"--pdf-positionnement : « {code} » n'a pas répondu à cette édition."
                    )
                click.echo(
                    f"PDF de positionnement : {positioning_pdf(output.positioning / found['fichier'][0])}"
                )
