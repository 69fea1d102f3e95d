"""The gallery of the seed barometers: one index page linking each demo report (`demo --all`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup

from barometre.publish.site import stylesheet
from barometre.publish.themes import Theme

INDEX_FILE = "index.html"


@dataclass(frozen=True)
class GalleryEntry:
    """One seed barometer of the gallery and the report that reproduces it."""

    seed: str  # « 002 »
    title: str  # the source barometer
    source: str  # who published it, when
    shows: str  # what its demo report shows, in one French sentence
    report: str  # link to the report, relative to the gallery folder
    details: tuple[tuple[str, str], ...] = ()  # other links (label, relative path)


def write_gallery(folder: str | Path, entries: list[GalleryEntry], theme: Theme) -> Path:
    """Write `index.html` of the gallery folder (self-contained, the site's stylesheet)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("barometre.publish", "templates/gallery"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    html = env.get_template(INDEX_FILE).render(
        css=Markup(stylesheet(theme)),
        entries=entries,
        generated=dt.date.today().strftime("%d/%m/%Y"),
    )
    path = Path(folder) / INDEX_FILE
    path.write_text(html, encoding="utf-8")
    return path
