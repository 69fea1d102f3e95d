"""Load an edition folder (e.g. the demo) into the database: edition, open campaign, targets, answers."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import polars as pl
import yaml
from django.db import transaction
from django.db.models import F, Max, Min
from django.utils import timezone

from barometre.collection.campaigns import create_campaign, open_campaign
from barometre.collection.editions import create_edition
from barometre.collection.imports import store_edition_rows
from barometre.collection.models import Campaign, Edition, Response, Wave
from barometre.collection.targets import add_targets, register_frame
from barometre.edition.files import read_text_csv


class FolderRejected(ValueError):
    """The folder's responses do not validate; the message lists the rejected lines in French."""


def with_opsn(targets: pl.DataFrame, folder: Path) -> pl.DataFrame:
    """Targets with an `opsn` label from the folder's `frame_attributes.csv` (`opsn` 0/1), if any."""
    path = folder / "frame_attributes.csv"
    if not path.is_file():
        return targets
    attributes = pl.read_csv(path, infer_schema=False)
    if "opsn" not in attributes.columns:
        return targets
    labels = attributes.select(
        "code",
        pl.when(pl.col("opsn").is_in(["1", "true", "oui"]))
        .then(pl.lit("membre d'un OPSN"))
        .otherwise(pl.lit("non membre"))
        .alias("opsn"),
    )
    return targets.drop("opsn", strict=False).join(labels, on="code", how="left")


def load_edition_folder(
    folder: Path,
    *,
    frame: pl.DataFrame | None = None,
    days_open: int = 60,
    actor: object = "barometre serve",
) -> Campaign:
    """Store the folder's questionnaire as an edition and its responses in a new open campaign.

    Targets are `frame` (register rows, e.g. the template's sampling frame) plus every responding
    collectivité. All or nothing: one invalid line and nothing is stored.
    """
    folder = Path(folder)
    meta = yaml.safe_load((folder / "edition.yaml").read_text(encoding="utf-8")) or {}
    text = (folder / "questionnaire.yaml").read_text(encoding="utf-8")
    raw = read_text_csv(folder / "responses.csv")
    register = register_frame()
    with transaction.atomic():
        edition = create_edition(
            text,
            source=Edition.Source.YAML,
            source_name=str(folder.name),
            title=str(meta.get("title") or ""),
            actor=actor,
        )
        campaign = create_campaign(
            edition,
            edition.title
            if "démonstration" in edition.title.casefold()
            else f"{edition.title} (démonstration)",
            closes_at=timezone.localtime(timezone.now() + timedelta(days=days_open)).replace(
                hour=23, minute=59, second=0, microsecond=0
            ),
            actor=actor,
        )
        open_campaign(campaign, actor=actor)
        responding = register.filter(pl.col("code").is_in(raw["code"].unique().implode()))
        targets = responding if frame is None else pl.concat([frame, responding], how="diagonal")
        add_targets(campaign, with_opsn(targets.unique("code"), folder), actor=actor)
        problems = store_edition_rows(
            campaign,
            raw,
            register["code"],
            Response.Source.EDITION,
            f"{folder.name}/responses.csv",
            actor,
        )
        if problems:
            raise FolderRejected(f"{folder / 'responses.csv'} : lignes refusées\n{problems}")
        bring_dates_to_today(campaign)
        date_the_waves(campaign)
    return campaign


def date_the_waves(campaign: Campaign) -> None:
    """Give a demonstration campaign's waves their dates, one after the other: the days from the
    opening to today are shared between them, the last one running until the campaign closes
    (today falls in it). A questionnaire without waves is left as it is."""
    waves = list(Wave.objects.filter(campaign=campaign).order_by("pk"))
    if len(waves) < 2 or campaign.opened_at is None:
        return
    start, now = campaign.opened_at, timezone.now()
    step = (now - start) / len(waves)
    opens = [
        start
        if rank == 0
        else timezone.localtime(start + step * rank).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        for rank in range(len(waves))
    ]
    for rank, wave in enumerate(waves):
        wave.opens_at = opens[rank]
        last = rank == len(waves) - 1
        wave.closes_at = campaign.closes_at if last else opens[rank + 1] - timedelta(minutes=1)
        wave.save(update_fields=["opens_at", "closes_at"])


def bring_dates_to_today(campaign: Campaign) -> None:
    """Make a demonstration campaign's dates its own: the collection ends today, not in the past.

    The folder's responses were simulated (or collected) in the edition's year, e.g. March to
    July 2024, while the campaign that shows them opens now: shifted by whole days, they keep their
    rhythm (weekdays, hours, the gaps between them) and end today, and the campaign opens on the
    day of the first one. Without this the Suivi page of `barometre serve` showed 2024 dates in a
    campaign opened in 2026.
    """
    stamps = Response.objects.filter(campaign=campaign).aggregate(
        first=Min("submitted_at"), last=Max("submitted_at")
    )
    if stamps["last"] is None:
        return
    now = timezone.now()
    shift = timedelta(days=max(0, (now - stamps["last"]).days))
    if shift:
        Response.objects.filter(campaign=campaign, submitted_at__isnull=False).update(
            submitted_at=F("submitted_at") + shift, updated_at=F("submitted_at") + shift
        )
    first = timezone.localtime(stamps["first"] + shift).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    opened = min(first, now)
    Campaign.objects.filter(pk=campaign.pk).update(opened_at=opened, created_at=opened)
    campaign.refresh_from_db()
