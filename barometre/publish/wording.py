"""French wording rules: every figure with its denominator, suppressed cells say why, imprecise ones marked."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import polars as pl

from barometre.publish.numbers import count, percent, points, signed_points

DOMAIN_TITLES = {
    "ensemble": "Ensemble",
    "size_class": "Taille (population municipale)",
    "kind_detail": "Type de collectivité",
    "region_group": "Région",
}
KIND_LABELS = {
    "commune": "Communes",
    "epci_CC": "Communautés de communes",
    "epci_CA": "Communautés d'agglomération",
    "epci_CU": "Communautés urbaines",
    "epci_METRO": "Métropoles",
    "epci_MET69": "Métropole de Lyon",
    "departement": "Départements",
    "region": "Régions",
    "com": "Collectivités d'outre-mer",
}
OVERSEAS = "outre-mer"
IMPRECISE_MARK = "(imprécis)"


@lru_cache(maxsize=1)
def region_names() -> dict[str, str]:
    """Région code → name, from the register; the grouped overseas cell."""
    from barometre.register.frame import load_register

    regions = load_register().entities.filter(pl.col("kind") == "region")
    names = dict(zip(regions["region"].to_list(), regions["name"].to_list(), strict=True))
    names[OVERSEAS] = "Outre-mer (regroupé)"
    return names


def domain_label(domain: str, value: str) -> str:
    """Readable label of a domain value (`84` → Auvergne-Rhône-Alpes, `epci_CC` → …)."""
    if domain == "kind_detail":
        return KIND_LABELS.get(value, value)
    if domain == "region_group":
        return region_names().get(value, value)
    if domain == "ensemble":
        return "Ensemble"
    return value


def margin_of_error(row: Mapping) -> float | None:
    """Half-width of the CI (the larger side: logit intervals are asymmetric)."""
    est, low, high = row.get("estimate"), row.get("ci_low"), row.get("ci_high")
    if est is None or low is None or high is None:
        return None
    return max(est - low, high - est)


def suppressed_reason(row: Mapping, min_n: int) -> str:
    """Why a cell is not shown."""
    n = int(row.get("n_unweighted") or 0)
    if n == 0:
        return "Aucune réponse dans ce groupe : pas de valeur."
    return (
        f"Valeur masquée : {count(n)} répondant{'s' if n > 1 else ''}, sous le seuil de "
        f"{min_n} fixé pour protéger les répondants et éviter une estimation sans valeur."
    )


def imprecision(row: Mapping) -> str:
    """Why an estimate is flagged as imprecise (empty when it is not)."""
    if not row.get("imprecise"):
        return ""
    note = row.get("note") or ""
    return f"Estimation imprécise : {note}." if note else "Estimation imprécise."


def base_text(row: Mapping) -> str:
    """The denominator sentence: who was asked and how many answered."""
    n = int(row.get("n_unweighted") or 0)
    weighted = row.get("n_weighted")
    denominator = row.get("denominator") or "collectivités interrogées"
    text = f"Base : {denominator} — n = {count(n)} collectivité{'s' if n > 1 else ''} interrogée{'s' if n > 1 else ''}"
    if weighted:
        text += f", représentant environ {count(weighted)} collectivités après pondération"
    return text + "."


def share_cell(row: Mapping, min_n: int) -> str:
    """`48 % ± 3,1 pts`, or the reason for suppression, plus an imprecision mark."""
    if row.get("suppressed"):
        return "masqué"
    est = row.get("estimate")
    if est is None:
        return "–"
    text = f"{percent(est)} ± {points(margin_of_error(row))}"
    return f"{text} {IMPRECISE_MARK}" if row.get("imprecise") else text


def card_caption(row: Mapping) -> str:
    """`n = 3 000, ± 1,6 pts` under a key figure."""
    return f"n = {count(row.get('n_unweighted'))}, ± {points(margin_of_error(row))}"


def evolution_text(row: Mapping | None) -> str:
    """`+15 pts depuis l'édition précédente (significatif)` or empty."""
    if not row or row.get("difference") is None:
        return ""
    marker = (
        "évolution significative au seuil de 5 %"
        if row.get("significant")
        else "évolution non significative"
    )
    return f"{signed_points(row['difference'])} par rapport à l'édition précédente ({marker})"
