"""Strata of the register: kind detail, population size classes, and stratum totals."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence

import polars as pl

# DGCL population classes of communes (lower bounds of the classes after the first).
DGCL_BOUNDARIES: tuple[int, ...] = (500, 2_000, 3_500, 5_000, 10_000, 20_000, 50_000, 100_000)
DEFAULT_KEY = "*"
STRATUM_COLUMNS = (
    "kind",
    "kind_detail",
    "size_class",
    "region",
    "region_group",
    "departement",
    "zone",
)

# a sequence applies to every kind; a mapping gives boundaries per kind ("*" = the others)
ClassSpec = Sequence[int] | Mapping[str, Sequence[int]] | None


def _thousands(value: int) -> str:
    """French thousands grouping with a space: 100 000."""
    return f"{value:,}".replace(",", " ")


def validate_boundaries(boundaries: Iterable[int]) -> tuple[int, ...]:
    """Boundaries as a tuple; raise ValueError (French) unless positive and strictly increasing."""
    values = tuple(int(b) for b in boundaries)
    if not values:
        raise ValueError("au moins une borne de classe est nécessaire")
    if any(b <= 0 for b in values):
        raise ValueError("les bornes de classes doivent être des entiers positifs")
    if any(b >= c for b, c in itertools.pairwise(values)):
        raise ValueError("les bornes de classes doivent être strictement croissantes")
    return values


def size_class_intervals(boundaries: Sequence[int]) -> list[tuple[int, int | None, str]]:
    """(lower, upper excluded or None, French label) of each class, smallest first."""
    values = validate_boundaries(boundaries)
    first = (0, values[0], f"moins de {_thousands(values[0])} hab.")
    middle = [
        (lo, hi, f"de {_thousands(lo)} à {_thousands(hi - 1)} hab.")
        for lo, hi in itertools.pairwise(values)
    ]
    last = (values[-1], None, f"{_thousands(values[-1])} hab. et plus")
    return [first, *middle, last]


def size_class_labels(boundaries: Sequence[int] = DGCL_BOUNDARIES) -> list[str]:
    """French labels of the classes: "moins de 500 hab.", …, "100 000 hab. et plus"."""
    return [label for _, _, label in size_class_intervals(boundaries)]


def _per_kind(classes: ClassSpec) -> dict[str, tuple[int, ...]]:
    """Normalise a class specification to {kind or "*": boundaries}."""
    if classes is None:
        return {DEFAULT_KEY: DGCL_BOUNDARIES}
    if isinstance(classes, Mapping):
        spec = {kind: validate_boundaries(b) for kind, b in classes.items()}
        spec.setdefault(DEFAULT_KEY, DGCL_BOUNDARIES)
        return spec
    return {DEFAULT_KEY: validate_boundaries(classes)}


def size_class_enum(classes: ClassSpec = None) -> pl.Enum:
    """Ordered Enum of every label the specification can produce (by lower, then upper bound)."""
    intervals = {
        label: (lo, float("inf") if hi is None else hi)
        for boundaries in _per_kind(classes).values()
        for lo, hi, label in size_class_intervals(boundaries)
    }
    return pl.Enum(sorted(intervals, key=intervals.__getitem__))


def size_class_expr(classes: ClassSpec = None, population: str = "population") -> pl.Expr:
    """Expression giving the population class label (null when population is null)."""
    spec = _per_kind(classes)
    dtype = size_class_enum(classes)

    def cut(boundaries: tuple[int, ...]) -> pl.Expr:
        labels = size_class_labels(boundaries)
        return pl.col(population).bin_intervals(list(boundaries), labels=labels).cast(pl.String)

    expr = cut(spec[DEFAULT_KEY])
    for kind, boundaries in spec.items():
        if kind != DEFAULT_KEY:
            expr = pl.when(pl.col("kind") == kind).then(cut(boundaries)).otherwise(expr)
    return expr.cast(dtype).alias("size_class")


def kind_detail_expr() -> pl.Expr:
    """`commune`, `epci_CC`, `epci_CA`, `epci_CU`, `epci_METRO`, `epci_MET69`, `departement`, …."""
    return (
        pl.when((pl.col("kind") == "epci") & pl.col("epci_nature").is_not_null())
        .then(pl.lit("epci_") + pl.col("epci_nature"))
        .otherwise(pl.col("kind"))
        .alias("kind_detail")
    )


def region_group_expr(overseas: str = "outre-mer") -> pl.Expr:
    """`region_group`: the metropolitan région code, or one overseas cell (DROM and COM together).

    Overseas units are too few to be a calibration cell each (see STATS-NOTES).
    """
    return (
        pl.when(pl.col("zone") == "metro")
        .then(pl.col("region"))
        .when(pl.col("zone").is_in(["drom", "com"]))
        .then(pl.lit(overseas))
        .otherwise(pl.col("region"))
        .alias("region_group")
    )


def add_strata(entities: pl.DataFrame, classes: ClassSpec = None) -> pl.DataFrame:
    """Add `kind_detail` and `size_class` columns to a register table."""
    return entities.with_columns(kind_detail_expr(), size_class_expr(classes))


def stratum_totals(
    entities: pl.DataFrame,
    by: Sequence[str] = ("kind_detail", "size_class"),
    classes: ClassSpec = None,
) -> pl.DataFrame:
    """Finite population size (`count`) and population total (`population`) per stratum.

    These are the margins for calibration and the N_h of the finite population correction.
    """
    frame = entities
    missing = [c for c in ("kind_detail", "size_class") if c in by and c not in frame.columns]
    if missing:
        frame = add_strata(frame, classes)
    if "region_group" in by and "region_group" not in frame.columns:
        frame = frame.with_columns(region_group_expr())
    return (
        frame.group_by(list(by))
        .agg(pl.len().alias("count"), pl.col("population").sum().alias("population"))
        .sort(list(by), nulls_last=True)
    )


def parse_class_option(values: Iterable[str]) -> ClassSpec:
    """Parse CLI values: `1000`, `500,2000,3500`, `epci=20000,50000` (ValueError in French)."""
    spec: dict[str, tuple[int, ...]] = {}
    for value in values:
        kind, _, numbers = value.rpartition("=")
        kind = kind.strip() or DEFAULT_KEY
        try:
            bounds = [int(n.replace(" ", "").replace("_", "")) for n in numbers.split(",")]
        except ValueError as exc:
            raise ValueError(
                f"« {value} » : bornes attendues sous la forme 1000 ou 500,2000 ou epci=20000,50000"
            ) from exc
        spec[kind] = validate_boundaries(bounds)
    if not spec:
        return None
    if list(spec) == [DEFAULT_KEY]:
        return spec[DEFAULT_KEY]
    return spec
