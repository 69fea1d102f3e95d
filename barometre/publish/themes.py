"""Visual themes of the report: neutral by default, DSFR colours for State deployments."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Theme:
    """Colours and fonts shared by the pages (CSS) and the charts (Vega-Lite config)."""

    id: str
    label: str
    primary: str
    light: str
    text: str
    background: str
    accent: str
    font: str
    chart_font: str


THEMES = {
    "neutral": Theme(
        id="neutral",
        label="neutre",
        primary="#1f5f8b",
        light="#9cc3de",
        text="#1e1e1e",
        background="#f4f6f8",
        accent="#8a4b00",
        font="'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'DejaVu Sans', sans-serif",
        chart_font="DejaVu Sans, Arial, sans-serif",
    ),
    "dsfr": Theme(
        id="dsfr",
        label="Système de design de l'État (DSFR)",
        primary="#000091",
        light="#cacafb",
        text="#161616",
        background="#f6f6f6",
        accent="#ce0500",
        font="Marianne, Arial, 'DejaVu Sans', sans-serif",
        chart_font="Marianne, DejaVu Sans, Arial, sans-serif",
    ),
}
DEFAULT_THEME = "neutral"


def get_theme(name: str | None) -> Theme:
    """A theme by id (KeyError with the French list of themes if unknown)."""
    key = name or DEFAULT_THEME
    if key not in THEMES:
        raise KeyError(f"thème « {key} » inconnu (thèmes : {', '.join(THEMES)})")
    return THEMES[key]
