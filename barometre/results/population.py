"""The target population an edition's figures describe: the frame, restricted, and its wording.

The frame is the register (strata, `region_group`) joined with the edition's frame attributes.
It is restricted, in this order, to:

1. the template's target (its demo frame: kinds, EPCI natures, population bounds, code prefixes),
   or, without a template, the kinds of the respondents;
2. minus the operator's exclusions (`population.exclude` in `edition.yaml`, `--exclude` on the
   command line): each exclusion is a conjunction such as `kind=commune,population<3500`, and the
   entities matching every condition of one exclusion leave the population.

Respondents inside an exclusion leave the analysis with a warning that counts them; respondents
outside the template's target are an error (a code outside the frame).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl

from barometre.edition.figures import load_figures
from barometre.edition.simulate import template_frame
from barometre.register.frame import Register
from barometre.register.labels import STRATUM_TITLES, count, kind_label, kind_rank, stratum_label
from barometre.register.strata import add_strata, region_group_expr
from barometre.stats.errors import StatsError

CONDITION = re.compile(r"^\s*([A-Za-z_][\w]*)\s*(!=|<=|>=|=|<|>)\s*(.*?)\s*$")
NUMERIC_OPS = ("<", "<=", ">", ">=")


@dataclass(frozen=True)
class Condition:
    """One condition of an exclusion: `column op value`."""

    column: str
    op: str
    value: str

    def expr(self, frame: pl.DataFrame) -> pl.Expr:
        """The Polars condition (null compares as false)."""
        column = pl.col(self.column)
        if self.op in NUMERIC_OPS:
            number = float(self.value.replace("\u202f", "").replace(" ", "").replace(",", "."))
            column = column.cast(pl.Float64, strict=False)
            expr = {
                "<": column < number,
                "<=": column <= number,
                ">": column > number,
                ">=": column >= number,
            }[self.op]
        else:
            text = column.cast(pl.String)
            expr = text == self.value if self.op == "=" else text != self.value
        return expr.fill_null(False)

    def wording(self) -> str:
        """French words for the condition (kinds are handled by `Exclusion.wording`)."""
        if self.column == "population" and self.op in NUMERIC_OPS:
            bound = count(float(self.value.replace(" ", "").replace(",", ".")))
            return {
                "<": f"de moins de {bound} hab.",
                "<=": f"de {bound} hab. ou moins",
                ">": f"de plus de {bound} hab.",
                ">=": f"de {bound} hab. et plus",
            }[self.op]
        title = STRATUM_TITLES.get(self.column, self.column).lower()
        value = stratum_label(self.column, self.value) if self.op in ("=", "!=") else self.value
        verb = {"=": "", "!=": "autre que "}.get(self.op, f"{self.op} ")
        return f"{title} {verb}« {value} »" if self.op in ("=", "!=") else f"{title} {verb}{value}"


@dataclass(frozen=True)
class Exclusion:
    """Entities matching every condition leave the population (`kind=commune,population<3500`)."""

    text: str
    conditions: tuple[Condition, ...]

    @classmethod
    def parse(cls, text: str, columns: list[str], source: str) -> Exclusion:
        """Parse `col=value,col<number`; French error naming the source and the condition."""
        conditions = []
        for part in [p for p in str(text).split(",") if p.strip()]:
            found = CONDITION.match(part)
            if not found:
                raise StatsError(
                    f"{source} : condition « {part.strip()} » illisible ; attendu par exemple "
                    "« kind=commune,population<3500 » ou « size_class=moins de 500 hab. »."
                )
            column, op, value = found.groups()
            if column not in columns:
                raise StatsError(
                    f"{source} : variable « {column} » inconnue de la base de sondage "
                    f"(variables : {', '.join(c for c in columns if c != 'code')})."
                )
            if op in NUMERIC_OPS:
                try:
                    float(value.replace("\u202f", "").replace(" ", "").replace(",", "."))
                except ValueError:
                    raise StatsError(
                        f"{source} : « {part.strip()} » compare « {column} » à « {value} », "
                        "qui n'est pas un nombre."
                    ) from None
            conditions.append(Condition(column, op, value))
        if not conditions:
            raise StatsError(f"{source} : exclusion vide.")
        return cls(str(text), tuple(conditions))

    def expr(self, frame: pl.DataFrame) -> pl.Expr:
        """True for the entities this exclusion removes."""
        return pl.all_horizontal([c.expr(frame) for c in self.conditions])

    def wording(self) -> str:
        """French: « communes de moins de 3 500 hab. », « entités de tranche « … » »."""
        kinds = [c for c in self.conditions if c.column in ("kind", "kind_detail") and c.op == "="]
        rest = [c for c in self.conditions if c not in kinds]
        head = _lower_first(kind_label(kinds[0].value, plural=True)) if kinds else "entités"
        return " ".join([head, *(c.wording() for c in rest)])


@dataclass(frozen=True)
class Population:
    """The frame restricted to the target population, and how to say which population it is."""

    frame: pl.DataFrame
    target: str  # French: where the target comes from (template or respondents' kinds)
    exclusions: tuple[Exclusion, ...] = ()
    excluded: tuple[int, ...] = ()  # entities removed by each exclusion
    label: str | None = None  # the operator's own wording, if any
    vintage: str | None = None
    removed: pl.Series = field(default_factory=lambda: pl.Series("code", [], dtype=pl.String))

    @property
    def size(self) -> int:
        """Number of entities in the population (N)."""
        return self.frame.height

    def composition(self) -> str:
        """« 34 969 communes et 1 255 intercommunalités (EPCI) »."""
        kinds = self.frame.group_by("kind").len().rows()
        parts = [
            f"{count(n)} {_lower_first(kind_label(k, plural=n > 1))}"
            for k, n in sorted(kinds, key=lambda r: kind_rank(r[0]))
        ]
        return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " et " + parts[-1]

    def description(self) -> str:
        """The French sentence saying which population the figures describe."""
        text = self.label or f"{count(self.size)} entités : {self.composition()}"
        if self.exclusions:
            removed = " ; ".join(
                f"{e.wording()} ({count(n)} entités)"
                for e, n in zip(self.exclusions, self.excluded, strict=True)
            )
            text += f", hors {removed}"
        return text

    def diagnostics(self) -> dict:
        """What the diagnostics file and the method page say about the population."""
        return {
            "size": self.size,
            "target": self.target,
            "description": self.description(),
            "label": self.label,
            "composition": self.composition(),
            "exclusions": [
                {"condition": e.text, "wording": e.wording(), "entities": n}
                for e, n in zip(self.exclusions, self.excluded, strict=True)
            ],
            "register_vintage": self.vintage,
        }


def _lower_first(text: str) -> str:
    """« Intercommunalités (EPCI) » → « intercommunalités (EPCI) »."""
    return text[:1].lower() + text[1:]


def frame_of(register: Register, attributes: pl.DataFrame | None = None) -> pl.DataFrame:
    """The register with strata and `region_group`, joined with frame attributes (text columns)."""
    frame = add_strata(register.entities).with_columns(region_group_expr())
    if attributes is None:
        return frame
    if "code" not in attributes.columns:
        raise StatsError("Fichier d'attributs : colonne « code » absente (ligne 1).")
    attributes = attributes.drop("__line", strict=False).with_columns(pl.all().cast(pl.String))
    clash = [c for c in attributes.columns if c in frame.columns and c != "code"]
    return frame.join(attributes.drop(clash), on="code", how="left")


def template_target(frame: pl.DataFrame, template: str | None) -> pl.DataFrame | None:
    """The entities of the frame a shipped template is aimed at, or None without a target."""
    if not template:
        return None
    try:
        demo = load_figures(str(template)).demo
    except (KeyError, FileNotFoundError):
        return None
    return template_frame(frame, demo)


def target_population(
    frame: pl.DataFrame,
    *,
    template: str | None = None,
    respondent_kinds: list[str] | None = None,
    exclusions: list[str] | tuple[str, ...] = (),
    label: str | None = None,
    vintage: str | None = None,
    source: str = "Population",
) -> Population:
    """The target population: the template's target (else the respondents' kinds), minus exclusions."""
    target = template_target(frame, template)
    if target is not None:
        where = f"population visée par le modèle « {template} »"
    elif respondent_kinds:
        target = frame.filter(pl.col("kind").is_in(respondent_kinds))
        where = "entités de la base de sondage des types des répondants"
    else:
        target, where = frame, "toute la base de sondage"
    parsed = [Exclusion.parse(text, frame.columns, source) for text in exclusions]
    counts, removed = [], []
    for exclusion in parsed:
        mask = target.select(exclusion.expr(target)).to_series()
        counts.append(int(mask.sum()))
        removed.append(target.filter(mask)["code"])
        target = target.filter(~mask)
    if target.height == 0:
        raise StatsError(f"{source} : les exclusions ne laissent aucune entité dans la population.")
    gone = pl.concat(removed) if removed else pl.Series("code", [], dtype=pl.String)
    return Population(target, where, tuple(parsed), tuple(counts), label, vintage, gone)


def excluded_respondents(population: Population, codes: pl.Series) -> pl.Series:
    """Respondent codes removed by the operator's exclusions (not simply outside the frame)."""
    return codes.filter(codes.is_in(population.removed.implode()))
