"""The findings of the Villes Internet × Deloitte barometer (2016), tested on a corpus with margins.

The 2016 barometer read some 10,000 initiatives and found: four main domains (access to digital
tools over a quarter, public communication 18.5 %, culture 15.5 %, schools 12 %); more services
in larger communes; no effect of the inhabitants' age. Each finding is restated here on the
corpus at hand, as a French sentence with its 95 % interval, and says whether the corpus agrees.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import stats

from barometre.initiatives.analysis import domain_shares
from barometre.initiatives.taxonomy import Taxonomy

MAIN_DOMAINS = 4
SEED_SOURCE = "Villes Internet × Deloitte (2016)"
SEED_DOMAINS = (
    "accès au numérique (plus d'un quart), communication publique (18,5 %), culture (15,5 %), "
    "écoles (12 %)."
)
AGE_ATTRIBUTE = "age_median"


@dataclass(frozen=True)
class Finding:
    """One finding: its title, the seed's statement, the corpus' sentence, and if they agree."""

    title: str
    seed: str
    statement: str
    agrees: bool | None  # None: not examined (missing data)


def _pct(value: float) -> str:
    """`24,9 %`."""
    return f"{100 * value:.1f}".replace(".", ",") + "\u202f%"


def _num(value: float, digits: int = 2) -> str:
    """`0,55`, `−0,03`."""
    text = f"{abs(value):.{digits}f}".replace(".", ",")
    return f"−{text}" if value < 0 and float(text.replace(",", ".")) != 0 else text


def _p(value: float) -> str:
    """`p < 0,001` or `p = 0,412`."""
    return "p < 0,001" if value < 0.001 else f"p = {_num(value, 3)}"


def spearman_interval(rho: float, n: int, level: float = 0.95) -> tuple[float, float]:
    """CI of Spearman's rho: Fisher's z with the Fieller–Hartley–Pearson variance 1.06 / (n − 3)."""
    if n <= 3 or not np.isfinite(rho):
        return float("nan"), float("nan")
    z = np.arctanh(np.clip(rho, -0.999999, 0.999999))
    half = stats.norm.ppf(0.5 + level / 2) * np.sqrt(1.06 / (n - 3))
    return float(np.tanh(z - half)), float(np.tanh(z + half))


def main_domains(
    classified: pl.DataFrame, entities: pl.DataFrame, shares: pl.DataFrame, taxonomy: Taxonomy
) -> Finding:
    """The four largest domains, each with its interval, and their combined share."""
    top = shares.sort("part", descending=True).head(MAIN_DOMAINS)
    merged = classified.with_columns(
        domain_final=pl.when(pl.col("domain_final").is_in(top["domaine"].implode()))
        .then(pl.lit(top["domaine"][0]))
        .otherwise(pl.col("domain_final"))
    )
    together = domain_shares(merged, entities, taxonomy=taxonomy).filter(
        pl.col("domaine") == top["domaine"][0]
    )
    row = together.row(0, named=True)
    listed = " ; ".join(
        f"{r['libelle']} {_pct(r['part'])} (IC 95 % : {_pct(r['ic_bas'])} – {_pct(r['ic_haut'])})"
        for r in top.iter_rows(named=True)
    )
    statement = (
        f"Quatre domaines rassemblent {_pct(row['part'])} des initiatives (IC 95 % : "
        f"{_pct(row['ic_bas'])} – {_pct(row['ic_haut'])}) : {listed}."
    )
    first = top.row(0, named=True)
    agrees = first["domaine"] == "inclusion" and row["part"] > 0.5
    return Finding("Quatre grands domaines", SEED_DOMAINS, statement, agrees)


def population_effect(population: dict) -> Finding:
    """Do larger collectivités publish more? Spearman with its CI and the Poisson ratio for × 10."""
    rho, p, n = population["spearman_rho"], population["spearman_p"], population["collectivites"]
    low, high = spearman_interval(rho, n)
    table = population["modele"].table()
    term = table.filter(pl.col("terme") == "log10_population").row(0, named=True)
    ratio_low, ratio_high = np.exp(term["ic_bas"]), np.exp(term["ic_haut"])
    statement = (
        f"Le nombre d'initiatives croît avec la population : ρ de Spearman = {_num(rho)} "
        f"(IC 95 % : {_num(low)} – {_num(high)}, {_p(p)}, {n} collectivités) ; quand la "
        f"population est multipliée par 10, le nombre d'initiatives est multiplié par "
        f"{_num(term['rapport_de_taux'])} (IC 95 % : {_num(ratio_low)} – {_num(ratio_high)})."
    )
    return Finding(
        "Plus de services dans les grandes collectivités",
        "« Plus la population d'une commune est importante, plus les services numériques sont "
        "nombreux. »",
        statement,
        bool(ratio_low > 1 and p < 0.05),
    )


def age_effect(attributes: list[dict]) -> Finding:
    """No effect of the median age: Spearman with intensity and the rate ratio at equal size."""
    seed = "« L'âge moyen des habitants n'influe ni sur les priorités ni sur l'intensité. »"
    found = [a for a in attributes if a["attribut"] == AGE_ATTRIBUTE]
    if not found:
        return Finding(
            "Pas d'effet de l'âge des habitants",
            seed,
            f"aucun attribut « {AGE_ATTRIBUTE} » (âge médian) n'a été fourni.",
            None,
        )
    att = found[0]
    rho, p, n = att["spearman_rho"], att["spearman_p"], att["collectivites"]
    low, high = spearman_interval(rho, n)
    term = att["modele"].table().filter(pl.col("terme") == AGE_ATTRIBUTE).row(0, named=True)
    ratio_low, ratio_high = np.exp(term["ic_bas"]), np.exp(term["ic_haut"])
    significant = term["p_valeur"] < 0.05
    statement = (
        f"À population égale, une année d'âge médian en plus multiplie le nombre d'initiatives "
        f"par {_num(term['rapport_de_taux'], 3)} (IC 95 % : {_num(ratio_low, 3)} – "
        f"{_num(ratio_high, 3)}, {_p(term['p_valeur'])}, {n} collectivités) : "
        + (
            "aucun effet significatif à 5 %"
            if not significant
            else "un effet significatif à 5 %, contrairement au baromètre 2016"
        )
    )
    raw = f"ρ de Spearman = {_num(rho)}, IC 95 % : {_num(low)} – {_num(high)}, {_p(p)}"
    if p < 0.05 and not significant:
        statement += (
            f" ; le lien brut entre âge médian et initiatives pour 1 000 habitants ({raw}) "
            "tient à la taille des collectivités : il disparaît à population égale."
        )
    else:
        statement += f" ; lien brut avec les initiatives pour 1 000 habitants : {raw}."
    return Finding("Pas d'effet de l'âge des habitants", seed, statement, not significant)
