"""French labels of the register's codes, their natural order, and French number formatting.

The one source every reader-facing page uses (back office, report, dashboard): a kind, an EPCI
nature, a population class, a région, a département or a zone is never shown by its code, and
figures read the French way (`36 343`, `12,5`, `48 %`, with narrow no-break spaces). Pure Python:
no Django, so that `publish`, `web` and `collection` can all import it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from functools import lru_cache

NNBSP = "\u202f"  # narrow no-break space: thousands separator, before % and units
NBSP = "\u00a0"
MISSING = "non renseigné"

# kind or kind detail (`kind_detail`: `epci_` + nature) → (singular, plural)
KIND_LABELS: dict[str, tuple[str, str]] = {
    "commune": ("Commune", "Communes"),
    "epci": ("Intercommunalité (EPCI)", "Intercommunalités (EPCI)"),
    "epci_CC": ("Communauté de communes", "Communautés de communes"),
    "epci_CA": ("Communauté d'agglomération", "Communautés d'agglomération"),
    "epci_CU": ("Communauté urbaine", "Communautés urbaines"),
    "epci_METRO": ("Métropole", "Métropoles"),
    "epci_MET69": ("Métropole de Lyon", "Métropole de Lyon"),
    "departement": ("Département", "Départements"),
    "region": ("Région", "Régions"),
    "com": ("Collectivité d'outre-mer", "Collectivités d'outre-mer"),
}
# the order kinds are listed in (official kinds, communes first; custom kinds after, by label)
KIND_ORDER = tuple(KIND_LABELS)
EPCI_NATURE_LABELS = {
    nature: KIND_LABELS[f"epci_{nature}"][0] for nature in ("CC", "CA", "CU", "METRO", "MET69")
}
ZONE_LABELS = {
    "metro": "France métropolitaine",
    "drom": "Départements et régions d'outre-mer",
    "com": "Collectivités d'outre-mer",
}
OVERSEAS_GROUP = "outre-mer"  # `region_group` of every DROM and COM entity
OVERSEAS_GROUP_LABEL = "Outre-mer (regroupé)"
# territories of the register without an elected assembly (no `C…` row to read a name from)
TERRITORY_NAMES = {
    "984": "Terres australes et antarctiques françaises",
    "989": "Île de Clipperton",
}
STRATUM_TITLES = {
    "kind": "Nature",
    "kind_detail": "Nature",
    "epci_nature": "Nature de l'EPCI",
    "size_class": "Tranche de population",
    "region": "Région",
    "region_group": "Région",
    "departement": "Département",
    "zone": "Zone",
}


def _humanise(code: str) -> str:
    """A readable label for a code nobody named (custom kinds): `service_public` → Service public."""
    text = re.sub(r"[_\s]+", " ", code).strip()
    return text[:1].upper() + text[1:] if text else MISSING


def kind_label(code: str | None, *, plural: bool = False) -> str:
    """`epci_CA` → Communauté d'agglomération (plural: Communautés d'agglomération).

    Accepts a `kind` (`commune`, `epci`…) or a `kind_detail`; a custom kind is humanised.
    """
    if not code:
        return MISSING
    labels = KIND_LABELS.get(code)
    if labels is None:
        return _humanise(code)
    return labels[1] if plural else labels[0]


def kind_rank(code: str | None) -> tuple[int, str]:
    """Sort key of kinds: official kinds in `KIND_ORDER`, then custom kinds by label, empty last."""
    if not code:
        return (len(KIND_ORDER) + 1, "")
    if code in KIND_LABELS:
        return (KIND_ORDER.index(code), "")
    return (len(KIND_ORDER), kind_label(code).casefold())


def epci_nature_label(code: str | None) -> str:
    """`CA` → Communauté d'agglomération."""
    if not code:
        return MISSING
    return EPCI_NATURE_LABELS.get(code, code)


def zone_label(code: str | None) -> str:
    """`metro` → France métropolitaine."""
    if not code:
        return MISSING
    return ZONE_LABELS.get(code, _humanise(code))


@lru_cache(maxsize=1)
def _place_names() -> tuple[dict[str, str], dict[str, str]]:
    """(région code → name, département code → name) read once from the official register."""
    from barometre.register.frame import load_register

    entities = load_register().entities
    regions: dict[str, str] = dict(TERRITORY_NAMES)
    departements: dict[str, str] = dict(TERRITORY_NAMES)
    for kind, code_column, names in (
        ("region", "region", regions),
        ("com", "region", regions),
        ("departement", "departement", departements),
        ("com", "departement", departements),
    ):
        rows = entities.filter(entities["kind"] == kind).select(code_column, "name")
        names.update(zip(rows[code_column].to_list(), rows["name"].to_list(), strict=True))
    return regions, departements


def region_label(code: str | None) -> str:
    """`84` → Auvergne-Rhône-Alpes; the grouped overseas cell → Outre-mer (regroupé)."""
    if not code:
        return MISSING
    if code == OVERSEAS_GROUP:
        return OVERSEAS_GROUP_LABEL
    return _place_names()[0].get(code, code)


def departement_label(code: str | None, *, with_code: bool = True) -> str:
    """`29` → Finistère (29); `with_code=False` → Finistère."""
    if not code:
        return MISSING
    name = _place_names()[1].get(code)
    if name is None:
        return code
    return f"{name} ({code})" if with_code else name


@lru_cache(maxsize=1)
def _entity_names() -> dict[str, str]:
    """Register code → name of every official entity, read once."""
    from barometre.register.frame import load_register

    entities = load_register().entities
    return dict(zip(entities["code"].to_list(), entities["name"].to_list(), strict=True))


def entity_label(code: str | None) -> str:
    """`29019` → Brest (29019); a code unknown to the register is shown as it is."""
    if not code:
        return MISSING
    name = _entity_names().get(code)
    return f"{name} ({code})" if name else code


def french_list(items: Iterable[str]) -> str:
    """`a`, `a et b`, `a, b et c`."""
    items = list(items)
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


def _bound(text: str) -> int:
    """An integer written with French thousands spaces: `10 000` → 10000."""
    return int(re.sub(r"\D", "", text))


_CLASS_PATTERNS = (
    (re.compile(r"^moins de ([\d\s\u202f\u00a0]+)"), lambda m: (0, _bound(m[1]))),
    (
        re.compile(r"^de ([\d\s\u202f\u00a0]+?) à ([\d\s\u202f\u00a0]+)"),
        lambda m: (_bound(m[1]), _bound(m[2]) + 1),
    ),
    (re.compile(r"^([\d\s\u202f\u00a0]+?) hab\w*\.? et plus"), lambda m: (_bound(m[1]), math.inf)),
)


def size_class_rank(label: str | None) -> tuple[float, float, str]:
    """Sort key putting population classes in their natural order (« moins de 500 hab. » first).

    Reads the bounds written in the label (`moins de N`, `de N à M`, `N hab. et plus`); labels it
    cannot read come after, alphabetically, and an empty class last.
    """
    if not label:
        return (math.inf, math.inf, "~")
    text = label.strip().casefold()
    for pattern, bounds in _CLASS_PATTERNS:
        found = pattern.match(text)
        if found:
            low, high = bounds(found)
            return (low, high, "")
    return (math.inf, 0, text)


def size_class_label(label: str | None) -> str:
    """A population class as displayed: thousands joined by narrow no-break spaces."""
    if not label:
        return MISSING
    return re.sub(r"(?<=\d)[ \u00a0](?=\d{3}\b)", NNBSP, label)


def sorted_size_classes(labels: Iterable[str]) -> list[str]:
    """Distinct population classes in their natural order."""
    return sorted(set(labels), key=size_class_rank)


def stratum_label(column: str, value: str | None) -> str:
    """The label of one value of a stratification column (`kind_detail`, `region`, …)."""
    if column in ("kind", "kind_detail"):
        return kind_label(value)
    if column == "epci_nature":
        return epci_nature_label(value)
    if column in ("region", "region_group"):
        return region_label(value)
    if column == "departement":
        return departement_label(value)
    if column == "zone":
        return zone_label(value)
    if column == "size_class":
        return size_class_label(value)
    return value or MISSING


VARIABLE_LABELS = {
    "kind": "nature",
    "kind_detail": "type de collectivité",
    "size_class": "classe de taille",
    "region_group": "région (outre-mer regroupé)",
    "region": "région",
    "departement": "département",
    "opsn": "adhésion à un OPSN",
    "epci_nature": "nature d'EPCI",
    "zone": "zone",
}


def _columns(name: str) -> list[str]:
    return [part.strip() for part in name.replace("*", "×").split("×") if part.strip()]


def variable_label(name: str) -> str:
    """A stratification or margin variable in words (« type de collectivité × classe de taille »)."""
    return " × ".join(VARIABLE_LABELS.get(part, part) for part in _columns(name))


def cell_label(margin: str, value: str) -> str:
    """One cell of a margin in words (« Commune × moins de 500 hab. », « Auvergne-Rhône-Alpes »)."""
    columns, values = _columns(margin), value.split(" × ")
    if len(columns) != len(values):
        return value
    return " × ".join(stratum_label(c, v) for c, v in zip(columns, values, strict=True))


def stratum_rank(column: str, value: str | None) -> tuple:
    """Sort key of a stratification value: natural order for kinds and classes, else by label."""
    if column in ("kind", "kind_detail"):
        return kind_rank(value)
    if column == "size_class":
        return size_class_rank(value)
    if not value:
        return (1, "")
    if column == "departement":  # by code: 01, 02, 2A, 2B, …, 971
        return (0, value.zfill(3))
    return (0, stratum_label(column, value).casefold())


# --- numbers -------------------------------------------------------------------------------------


def is_missing(value: float | None) -> bool:
    """True for None and NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: float | None, digits: int = 0) -> str:
    """`12,5`, `36 343` (narrow no-break space between thousands); `–` when missing."""
    if is_missing(value):
        return "–"
    if round(value, digits) == 0:
        value = 0.0  # never print "−0"
    text = f"{value:,.{digits}f}"
    if text.startswith("-"):
        text = "−" + text[1:]
    return text.replace(",", NNBSP).replace(".", ",")


def count(value: float | None) -> str:
    """An integer count with French thousands separators: `36 343`."""
    return "–" if is_missing(value) else number(round(value), 0)


def percent(share: float | None, digits: int = 0) -> str:
    """A share 0–1 as `48 %` (narrow no-break space before the sign); `–` when missing."""
    if is_missing(share):
        return "–"
    return f"{number(100 * share, digits)}{NNBSP}%"
