"""French wording rules: every figure with its base, its interval (or « recensement »), suppressed
cells say why, imprecise ones marked, and the documented rule for a figure too imprecise to state."""

from __future__ import annotations

from collections.abc import Mapping

from barometre.publish.numbers import count, number, percent, signed_points
from barometre.questionnaire.model import Population
from barometre.register import labels as register_labels

DOMAIN_TITLES = {
    "ensemble": "Ensemble",
    "size_class": "Taille (population municipale)",
    "kind_detail": "Type de collectivité",
    "region_group": "Région",
}
KIND_LABELS = {code: labels[1] for code, labels in register_labels.KIND_LABELS.items()}
"""Kind (detail) → plural label, from the shared `barometre.register.labels`."""
IMPRECISE_MARK = "(imprécis)"


def domain_label(domain: str, value: str) -> str:
    """Readable label of a breakdown group (`84` → Auvergne-Rhône-Alpes, `epci_CC` →
    Communautés de communes), from the shared labels of the register."""
    if domain == "ensemble":
        return "Ensemble"
    if domain in ("kind", "kind_detail"):
        return register_labels.kind_label(value, plural=True)
    return register_labels.stratum_label(domain, value)


TOO_WIDE = 0.5
"""A share whose 95 % interval is wider than this (50 points) is too imprecise to be stated."""


def is_census(diagnostics: Mapping) -> bool:
    """True when the whole target population answered (or the design says it is enumerated)."""
    if diagnostics.get("census") is not None:
        return bool(diagnostics["census"])
    n, size = diagnostics.get("n_respondents"), diagnostics.get("population_size")
    return bool(n and size and n >= size)


def is_exact(row: Mapping, census: bool = False) -> bool:
    """No sampling error: a census, or a zero standard error on a share strictly inside (0, 1).

    A share of 0 or 1 in a sample also has a zero linearised standard error but keeps its
    (Clopper–Pearson) interval: only the finite-population correction makes a value exact.
    """
    if census:
        return True
    se, est = row.get("se"), row.get("estimate")
    return se is not None and est is not None and se == 0 and 0 < est < 1


def _bounds(row: Mapping, share: bool) -> tuple[float, float] | None:
    """The interval's bounds, clipped to [0, 1] for a share; None when not computable."""
    low, high = row.get("ci_low"), row.get("ci_high")
    if low is None or high is None or low != low or high != high:
        return None
    if share:
        low, high = max(0.0, low), min(1.0, high)
    return low, high


def interval_text(row: Mapping, share: bool = True, census: bool = False) -> str:
    """`de 62 % à 84 %` (an asymmetric logit interval is stated as its bounds, never as ±)."""
    if row.get("suppressed") or row.get("estimate") is None:
        return ""
    if is_exact(row, census):
        return "sans objet (recensement)" if census else "sans objet (valeur exacte)"
    bounds = _bounds(row, share)
    if bounds is None:
        return "non calculable"
    if share:
        return f"de {percent(bounds[0])} à {percent(bounds[1])}"
    return f"de {number(bounds[0], 1)} à {number(bounds[1], 1)}"


def too_imprecise(row: Mapping, census: bool = False) -> bool:
    """The documented rule: a share whose 95 % interval spans more than 50 points."""
    if is_exact(row, census) or row.get("suppressed"):
        return False
    bounds = _bounds(row, True)
    return bounds is not None and bounds[1] - bounds[0] > TOO_WIDE


def precision_sentence(row: Mapping, census: bool = False, share: bool = True) -> str:
    """The precision of a figure in one sentence: interval, census, or why it is not shown."""
    if row.get("suppressed"):
        return ""
    if is_exact(row, census):
        return (
            "Recensement : toute la population visée a répondu, la valeur n'a pas de marge "
            "d'erreur d'échantillonnage."
            if census
            else "Strate entièrement interrogée : la valeur n'a pas de marge d'erreur."
        )
    text = interval_text(row, share, census)
    if text == "non calculable":
        return "Intervalle de confiance non calculable (trop peu de répondants ou de strates)."
    sentence = f"Intervalle de confiance à 95\u202f% : {text}."
    if too_imprecise(row, census):
        sentence += " Trop imprécis pour être interprété (intervalle de plus de 50 points)."
    return sentence


def suppressed_reason(row: Mapping, min_n: int) -> str:
    """Why a cell is not shown."""
    n = int(row.get("n_unweighted") or 0)
    if n == 0:
        return "Aucune réponse dans ce groupe : pas de valeur."
    return (
        f"Valeur masquée : {count(n)} répondant{'s' if n > 1 else ''}, sous le seuil de "
        f"{min_n} fixé pour protéger les répondants et éviter une estimation sans valeur."
    )


def imprecision(row: Mapping, census: bool = False) -> str:
    """Why an estimate is flagged as imprecise (empty when it is not, or exact)."""
    if not row.get("imprecise") or is_exact(row, census):
        return ""
    note = row.get("note") or ""
    return f"Estimation imprécise : {note}." if note else "Estimation imprécise."


def _agreed(population: Population, word: str, plural: bool = True) -> str:
    """A participle agreed with the population noun, singular or plural."""
    return population.agree(word) if plural else word + ("e" if population.feminine else "")


def base_sentence(
    n: int,
    population: Population,
    clause: str = "",
    represented: str = "",
    target: int | None = None,
    census: bool = False,
) -> str:
    """Who the figure is about, how many answered, and what the weighting makes them represent.

    « Base : 85 collectivités répondantes qui proposent des actions de médiation numérique,
    pondérées pour représenter les quelque 10 200 collectivités dans ce cas (sur 36 343 visées). »
    """
    plural = n != 1
    noun = population.plural if plural else population.singular
    who = f"{count(n)} {noun} {_agreed(population, 'répondant', plural)}"
    if clause:
        # a relative clause agrees with the plural population: « parmi les … qui disposent »
        who += f" {clause}" if plural else f", parmi les {population.plural} {clause}"
    if census:
        return f"Base : {who} (recensement : toute la population visée a répondu)."
    if not represented:
        return f"Base : {who}."
    weighted = _agreed(population, "pondéré", plural)
    visees = population.agree("visé")
    if clause:
        scope = f" (sur {count(target)} {visees})" if target else ""
        return (
            f"Base : {who}, {weighted} pour représenter les {represented} "
            f"{population.plural} dans ce cas{scope}."
        )
    return (
        f"Base : {who}, {weighted} pour représenter les {represented} {population.plural} {visees}."
    )


def value_cell(row: Mapping, share: bool = True, census: bool = False) -> str:
    """`48 %` (or `12,5` for a mean), `masqué`, with the imprecision mark; never a ± half-width."""
    if row.get("suppressed"):
        return "masqué"
    est = row.get("estimate")
    if est is None:
        return "–"
    text = percent(est) if share else number(est, 1)
    if row.get("imprecise") and not is_exact(row, census):
        return f"{text} {IMPRECISE_MARK}"
    return text


def evolution_text(row: Mapping | None) -> str:
    """`+15 pts par rapport à l'édition précédente (évolution significative …)` or empty."""
    if not row or row.get("difference") is None:
        return ""
    marker = (
        "évolution significative au seuil de 5 %"
        if row.get("significant")
        else "évolution non significative"
    )
    text = f"{signed_points(row['difference'])} par rapport à l'édition précédente ({marker})"
    return text + panel_clause(row)


def panel_clause(row: Mapping) -> str:
    """`; parmi les 600 collectivités ayant répondu aux deux éditions : +14 pts (…)` or empty."""
    if row.get("panel_difference") is None or row.get("panel_n") is None:
        return ""
    marker = "significative" if row.get("panel_significant") else "non significative"
    return (
        f" ; parmi les {count(row['panel_n'])} répondants des deux éditions : "
        f"{signed_points(row['panel_difference'])} (de {percent(row['panel_before'])} à "
        f"{percent(row['panel_after'])}, évolution appariée {marker})"
    )


def wave_note(questionnaire, theme_id: str) -> str:
    """Which survey wave asked a theme's questions, for a questionnaire in several waves (else "")."""
    waves = list(getattr(questionnaire, "waves", None) or [])
    theme = next((t for t in questionnaire.themes if t.id == theme_id), None)
    if len(waves) < 2 or theme is None or not theme.wave:
        return ""
    rank = next((i for i, w in enumerate(waves, 1) if w.id == theme.wave), None)
    if rank is None:
        return ""
    return f"Questions posées lors de la vague {rank} (sur {len(waves)}) de l'enquête."
