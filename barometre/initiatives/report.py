"""The initiatives section of an edition's results: tables, key figures and a Markdown summary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from barometre.initiatives.analysis import (
    attribute_association,
    domain_shares,
    intensity,
    population_association,
)
from barometre.initiatives.classifier import ClassifierScores, DomainClassifier
from barometre.initiatives.findings import (
    AGE_ATTRIBUTE,
    SEED_SOURCE,
    Finding,
    age_effect,
    main_domains,
    population_effect,
)
from barometre.initiatives.folder import InitiativesFolder
from barometre.initiatives.review import apply_corrections, classify_corpus, read_corrections
from barometre.initiatives.taxonomy import Taxonomy, default_taxonomy
from barometre.register import Register, load_register

FRAME_ATTRIBUTES_FILE = "frame_attributes.csv"  # docs/contracts.md, edition folder
# Attributes of the frame in words (others are named by their column, between « »).
ATTRIBUTE_LABELS = {"age_median": "l'âge médian des habitants", "population": "la population"}


def _pct(value: float) -> str:
    """French percentage with one decimal: 25,3 %."""
    return f"{100 * value:.1f} %".replace(".", ",")


def _pvalue(value: float) -> str:
    """French p-value: < 0,001 or three decimals."""
    return "< 0,001" if value < 0.001 else "= " + f"{value:.3f}".replace(".", ",")


def _num(value: float, digits: int = 2) -> str:
    """French decimal number."""
    return f"{value:.{digits}f}".replace(".", ",")


@dataclass
class InitiativesReport:
    """Every table of the initiatives analysis, ready for the report, the web and open data."""

    taxonomy: Taxonomy
    initiatives: int
    collectivites: int
    sources: dict[str, int]
    shares: pl.DataFrame
    shares_by_size: pl.DataFrame
    intensity: pl.DataFrame
    population: dict
    attributes: list[dict] = field(default_factory=list)
    scores: ClassifierScores | None = None
    model_origin: str = ""
    findings: list[Finding] = field(default_factory=list)

    def key_figures(self) -> list[tuple[str, str]]:
        """(French label, formatted value) pairs for the key-figures page."""
        figures = [
            ("Initiatives analysées", f"{self.initiatives:,}".replace(",", " ")),
            ("Collectivités", f"{self.collectivites:,}".replace(",", " ")),
        ]
        for row in self.shares.sort("part", descending=True).iter_rows(named=True):
            figures.append(
                (
                    f"Part « {row['libelle']} »",
                    f"{_pct(row['part'])} (IC 95 % : {_pct(row['ic_bas'])} – {_pct(row['ic_haut'])})",
                )
            )
        pop = self.population
        figures.append(
            (
                "Lien taille / nombre d'initiatives (Spearman)",
                f"ρ = {_num(pop['spearman_rho'])} (p {_pvalue(pop['spearman_p'])})",
            )
        )
        figures.append(
            (
                "Initiatives quand la population est multipliée par 10",
                f"× {_num(pop['rapport_x10'])} (modèle de Poisson)",
            )
        )
        for att in self.attributes:
            table = att["modele"].table()
            row = table.filter(pl.col("terme") == att["attribut"]).row(0, named=True)
            figures.append(
                (
                    f"Lien entre {ATTRIBUTE_LABELS.get(att['attribut'], '« ' + att['attribut'] + ' »')} et "
                    "initiatives pour 1 000 hab. (Spearman)",
                    f"ρ = {_num(att['spearman_rho'])} (p {_pvalue(att['spearman_p'])}) ; "
                    f"à taille égale, rapport de taux {_num(row['rapport_de_taux'], 3)} "
                    f"par unité (p {_pvalue(row['p_valeur'])})",
                )
            )
        if self.scores is not None:
            figures.append(
                (
                    "Qualité du classement (validation croisée)",
                    f"exactitude {_pct(self.scores.accuracy)}, F1 macro {_pct(self.scores.macro_f1)}",
                )
            )
        return figures

    def findings_lines(self) -> list[str]:
        """The seed's findings restated on this corpus, one French paragraph each."""
        verdict = {True: "constat retrouvé", False: "constat non retrouvé", None: "non examiné"}
        return [
            f"{f.title} — {verdict[f.agrees]}. {f.statement} En 2016 : {f.seed}"
            for f in self.findings
        ]

    def tables(self) -> dict[str, pl.DataFrame]:
        """Named tables for CSV export."""
        out = {
            "parts_domaines": self.shares,
            "parts_domaines_par_taille": self.shares_by_size,
            "intensite_par_taille": self.intensity,
            "modele_population": self.population["modele"].table(),
        }
        for att in self.attributes:
            out[f"modele_{att['attribut']}"] = att["modele"].table()
            out[f"parts_par_tiers_{att['attribut']}"] = att["parts_par_tiers"]
        return out

    def to_markdown(self) -> str:
        """A short French summary in Markdown."""
        lines = ["# Initiatives numériques", "", "## Chiffres clés", ""]
        lines += [f"- **{label}** : {value}" for label, value in self.key_figures()]
        if self.findings:
            lines += ["", f"## Les constats du baromètre de référence ({SEED_SOURCE})", ""]
            for finding in self.findings:
                verdict = {True: "retrouvé", False: "non retrouvé", None: "non examiné"}
                lines.append(
                    f"- **{finding.title}** ({verdict[finding.agrees]}) : {finding.statement}"
                )
                lines.append(f"  En 2016 : {finding.seed}")
        origin = ", ".join(f"{n} {k}" for k, n in sorted(self.sources.items()))
        lines += ["", f"Origine des domaines : {origin}. Modèle : {self.model_origin}.", ""]
        lines += [
            "## Initiatives par taille de collectivité",
            "",
            "| Classe | Collectivités | Initiatives | Par collectivité | Pour 1 000 hab. |",
            "|---|---:|---:|---:|---:|",
        ]
        for r in self.intensity.iter_rows(named=True):
            lines.append(
                f"| {r['groupe']} | {r['collectivites']} | {r['initiatives']} | "
                f"{_num(r['par_collectivite'], 1)} | {_num(r['pour_1000_hab'], 2)} |"
            )
        lines += [
            "",
            "Les intervalles décrivent l'incertitude liée aux collectivités qui ont publié "
            "(initiatives regroupées par collectivité) ; le corpus n'est pas un échantillon "
            "aléatoire de toutes les collectivités.",
            "",
        ]
        return "\n".join(lines)

    def write(self, folder: Path | str) -> list[Path]:
        """Write every table as CSV and `initiatives.md`; returns the written paths."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for name, table in self.tables().items():
            path = folder / f"{name}.csv"
            table.write_csv(path)
            paths.append(path)
        summary = folder / "initiatives.md"
        summary.write_text(self.to_markdown(), encoding="utf-8")
        return [*paths, summary]


def build_report(
    classified: pl.DataFrame,
    entities: pl.DataFrame,
    taxonomy: Taxonomy | None = None,
    attributes: Sequence[str] = (),
    classifier: DomainClassifier | None = None,
) -> InitiativesReport:
    """All analyses of a classified corpus (see `review.classify_corpus`)."""
    taxonomy = taxonomy or default_taxonomy()
    missing = [a for a in attributes if a not in entities.columns]
    if missing:
        raise ValueError(
            f"attribut(s) absent(s) du registre : {', '.join(missing)} "
            "(importez-les avec « barometre register » ou frame_attributes.csv)"
        )
    sources = dict(classified.get_column("domain_source").value_counts().iter_rows())
    shares = domain_shares(classified, entities, taxonomy=taxonomy)
    population = population_association(classified, entities)
    associations = [attribute_association(classified, entities, a, taxonomy) for a in attributes]
    findings = [
        main_domains(classified, entities, shares, taxonomy),
        population_effect(population),
        age_effect(associations),
    ]
    return InitiativesReport(
        taxonomy=taxonomy,
        initiatives=classified.height,
        collectivites=classified.get_column("code").n_unique(),
        sources={str(k): int(v) for k, v in sources.items()},
        shares=shares,
        shares_by_size=domain_shares(classified, entities, by="size_class", taxonomy=taxonomy),
        intensity=intensity(classified, entities, by="size_class"),
        population=population,
        attributes=associations,
        scores=None if classifier is None else classifier.scores,
        model_origin="" if classifier is None else classifier.origin,
        findings=findings,
    )


def folder_report(
    folder: InitiativesFolder,
    register: Register | None = None,
    attributes: Sequence[str] = (),
    entities: pl.DataFrame | None = None,
) -> InitiativesReport | None:
    """The report of an initiatives folder; None when no corpus was imported."""
    if not folder.has_corpus():
        return None
    register = register or load_register()
    taxonomy = folder.taxonomy()
    corpus = apply_corrections(folder.corpus(register), read_corrections(folder.corrections_file))
    classifier = folder.classifier()
    classified = classify_corpus(corpus, classifier)
    entities = entities if entities is not None else register.with_strata()
    return build_report(classified, entities, taxonomy, attributes, classifier)


def join_attributes(entities: pl.DataFrame, path: Path | str) -> pl.DataFrame:
    """Entities joined with an attribute CSV (`code` + attributes); register columns win."""
    try:
        attributes = pl.read_csv(path, schema_overrides={"code": pl.String})
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise ValueError(f"{Path(path).name} : fichier d'attributs illisible ({exc})") from exc
    if "code" not in attributes.columns:
        raise ValueError(f"{Path(path).name}, ligne 1 : colonne « code » absente")
    clash = [c for c in attributes.columns if c in entities.columns and c != "code"]
    return entities.join(attributes.drop(clash), on="code", how="left")


def edition_entities(edition_folder: Path | str, register: Register) -> pl.DataFrame:
    """Register entities with strata, joined with the edition's `frame_attributes.csv` if any."""
    entities = register.with_strata()
    path = Path(edition_folder) / FRAME_ATTRIBUTES_FILE
    return join_attributes(entities, path) if path.exists() else entities


def edition_report(
    edition_folder: Path | str, register: Register | None = None, attributes: Sequence[str] = ()
) -> InitiativesReport | None:
    """The initiatives report of an edition folder (None when the edition has no corpus).

    Attributes may come from the register's workspace or the edition's `frame_attributes.csv`;
    without any named, the median age `age_median` is crossed when the edition has it.
    """
    folder = InitiativesFolder.of_edition(edition_folder)
    if not folder.has_corpus():
        return None
    register = register or load_register()
    entities = edition_entities(edition_folder, register)
    if not attributes and AGE_ATTRIBUTE in entities.columns:
        attributes = (AGE_ATTRIBUTE,)  # the seed's question: does the inhabitants' age matter?
    return folder_report(folder, register, attributes, entities)
