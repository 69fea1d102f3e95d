"""Which register vintage an edition's population counts come from.

By default the register shipped with the package (COG 2026). When the operator asks for it
(`population.vintage` in `edition.yaml`, `--vintage` on the command line), the counts come from
another vintage imported into the register workspace (`barometre register vintage`); `survey`
means the vintage of the edition's year.
"""

from __future__ import annotations

from barometre.register.frame import Register, load_register
from barometre.stats.errors import StatsError

SURVEY_YEAR = "survey"


def register_for(vintage: str | None, meta: dict) -> Register:
    """The register of the vintage asked for (the shipped one when none is asked)."""
    if vintage is None:
        return load_register()
    wanted = str(meta.get("year", "")) if vintage == SURVEY_YEAR else str(vintage)
    if not wanted:
        raise StatsError(
            "Millésime du registre « survey » demandé, mais edition.yaml n'a pas d'année (year)."
        )
    register = load_register()
    if register.vintage == wanted:
        return register
    from barometre.register.vintages import VintageError, load_vintage

    try:
        return load_vintage(wanted)
    except VintageError as error:
        raise StatsError(str(error)) from None
