"""`barometre export`: the answers of a campaign in the edition format `barometre analyse` reads."""

from __future__ import annotations

from pathlib import Path

import click


@click.command(name="export")
@click.argument("campagne", type=int, required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["edition", "csv", "xlsx", "parquet"]),
    default="edition",
    show_default=True,
    help="edition : dossier complet (edition.yaml, questionnaire.yaml, responses.csv) ; "
    "csv, xlsx, parquet : la table large des réponses seule.",
)
@click.option(
    "--sortie",
    type=click.Path(path_type=Path),
    default=None,
    help="Dossier (format edition) ou fichier à écrire [défaut : export-CAMPAGNE(.format)].",
)
@click.option(
    "--db", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Fichier SQLite."
)
def command(campagne: int | None, fmt: str, sortie: Path | None, db: Path | None) -> None:
    """Exporte les réponses de la campagne CAMPAGNE (sans argument : liste les campagnes)."""
    from barometre.web.bootstrap import setup_django

    setup_django(db)
    from barometre.cli.invite_cmd import campaign_or_list
    from barometre.collection.exports import answers_frame, frame_bytes, write_edition
    from barometre.collection.models import audit

    campaign = campaign_or_list(campagne)
    if campaign is None:
        return
    target = sortie or Path(f"export-{campaign.pk}" + ("" if fmt == "edition" else f".{fmt}"))
    if fmt == "edition":
        folder = write_edition(campaign, target)
        rows = sum(1 for _ in (folder / "responses.csv").open(encoding="utf-8")) - 1
        click.echo(f"Édition écrite dans {folder} ({rows} réponse(s)) : barometre analyse {folder}")
    else:
        frame = answers_frame(campaign)
        target.write_bytes(frame_bytes(frame, fmt))
        rows = frame.height
        click.echo(f"{rows} réponse(s) écrite(s) dans {target}.")
    audit("export", actor="barometre export", obj=campaign, format=fmt, rows=rows)
