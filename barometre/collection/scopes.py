"""Territorial scopes of operator accounts: who may see, change and grant which collectivités.

A scope is a union of three lists, each judged on the register's own attributes of an entity:

- `regions`: every entity whose register région is listed (the région itself, its départements,
  their communes and the EPCI seated there);
- `departements`: every entity whose register département is listed (the département, its communes,
  the EPCI whose seat is there: an EPCI straddling two départements belongs to its seat's);
- `codes`: the listed entities (INSEE code of a commune, SIREN of an EPCI, `D29`, `R53`…).

All three empty means national: the whole register and every campaign. Nothing else is implied:
a département scope does not contain its région's entity, nor an EPCI seated next door, nor the
communes of one of its EPCI that lie in another département.

Containment (`Scope.outside`) is judged symbolically, never by enumerating the register:
a région is inside a scope that lists it; a département is inside a scope listing it or its région;
a code is inside a scope listing it, its département or its région (per the register; a code unknown
to the register is inside only a scope that lists it). National contains everything and is inside
only national.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import polars as pl
from django.db.models import Q


@dataclass(frozen=True)
class Scope:
    """A territorial scope: régions, départements and entity codes (all empty = national)."""

    regions: tuple[str, ...] = ()
    departements: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        regions: Iterable[str] = (),
        departements: Iterable[str] = (),
        codes: Iterable[str] = (),
    ) -> Scope:
        """A scope from lists (order kept, duplicates and blanks dropped)."""

        def clean(values: Iterable[str]) -> tuple[str, ...]:
            return tuple(dict.fromkeys(str(v).strip() for v in values if str(v).strip()))

        return cls(clean(regions), clean(departements), clean(codes))

    @property
    def is_national(self) -> bool:
        """True when the scope is the whole register."""
        return not (self.regions or self.departements or self.codes)

    def q(self, prefix: str = "") -> Q:
        """Filter on rows holding `code`, `departement`, `region` (targets; `prefix` e.g. "target__")."""
        if self.is_national:
            return Q()
        condition = Q(pk__in=[])
        if self.regions:
            condition |= Q(**{f"{prefix}region__in": list(self.regions)})
        if self.departements:
            condition |= Q(**{f"{prefix}departement__in": list(self.departements)})
        if self.codes:
            condition |= Q(**{f"{prefix}code__in": list(self.codes)})
        return condition

    def condition(self) -> pl.Expr:
        """Polars condition on a frame with `code`, `departement`, `region` columns."""
        if self.is_national:
            return pl.lit(True)
        condition = pl.lit(False)
        if self.regions:
            condition = condition | pl.col("region").is_in(list(self.regions))
        if self.departements:
            condition = condition | pl.col("departement").is_in(list(self.departements))
        if self.codes:
            condition = condition | pl.col("code").is_in(list(self.codes))
        return condition.fill_null(False)

    def holds(self, code: str, departement: str | None, region: str | None) -> bool:
        """Whether one entity (its code and register département and région) lies in the scope."""
        return (
            self.is_national
            or code in self.codes
            or (departement is not None and departement in self.departements)
            or (region is not None and region in self.regions)
        )

    def outside(self, other: Scope) -> list[str]:
        """The parts of `other` not inside this scope, in French (empty when `other` ⊆ self)."""
        if self.is_national:
            return []
        if other.is_national:
            return ["tout le registre (périmètre national)"]
        places = register_places()
        parts = [f"la région {r}" for r in other.regions if r not in self.regions]
        parts += [
            f"le département {d}"
            for d in other.departements
            if d not in self.departements
            and places.region_of_departement.get(d) not in self.regions
        ]
        for code in other.codes:
            departement, region = places.of_code.get(code, (None, None))
            if not self.holds(code, departement, region):
                parts.append(f"la collectivité {code}")
        return parts

    def contains(self, other: Scope) -> bool:
        """True when every entity of `other` lies in this scope."""
        return not self.outside(other)

    def describe(self) -> str:
        """A short French description with names: « tout le registre », « région Bretagne ;
        départements Finistère (29) et Morbihan (56) ; 4 collectivités »."""
        from barometre.register.labels import (
            departement_label,
            entity_label,
            french_list,
            region_label,
        )

        if self.is_national:
            return "tout le registre"
        parts = []
        if self.regions:
            word = "région " if len(self.regions) == 1 else "régions "
            parts.append(word + french_list(region_label(r) for r in self.regions))
        if self.departements:
            word = "département " if len(self.departements) == 1 else "départements "
            parts.append(word + french_list(departement_label(d) for d in self.departements))
        if self.codes:
            many = len(self.codes) > 3
            parts.append(
                f"{len(self.codes)} collectivités"
                if many
                else french_list(entity_label(c) for c in self.codes)
            )
        return " ; ".join(parts)


@dataclass(frozen=True)
class RegisterPlaces:
    """Where each register entity lies: code → (département, région); département → région."""

    of_code: dict[str, tuple[str | None, str | None]]
    region_of_departement: dict[str, str]
    regions: frozenset[str]
    departements: frozenset[str]


@cache
def register_places() -> RegisterPlaces:
    """The register's places, built once per process from the official register."""
    from barometre.collection.targets import register_frame

    frame = register_frame().select("code", "departement", "region")
    of_code = dict(
        zip(
            frame["code"].to_list(),
            zip(frame["departement"].to_list(), frame["region"].to_list(), strict=True),
            strict=True,
        )
    )
    pairs = (
        frame.filter(pl.col("departement").is_not_null() & pl.col("region").is_not_null())
        .select("departement", "region")
        .unique(subset="departement", keep="first")
    )
    return RegisterPlaces(
        of_code=of_code,
        region_of_departement=dict(pairs.iter_rows()),
        regions=frozenset(frame["region"].drop_nulls().to_list()),
        departements=frozenset(frame["departement"].drop_nulls().to_list()),
    )


def register_codes_in_scope(scope: Scope, codes: Iterable[str]) -> set[str]:
    """The `codes` lying in `scope`, placed by the register (codes unknown to it: only if listed)."""
    if scope.is_national:
        return set(codes)
    places = register_places()
    return {
        code for code in set(codes) if scope.holds(code, *places.of_code.get(code, (None, None)))
    }


def responses_q(scope: Scope, campaign) -> Q:
    """Filter on a campaign's responses lying in `scope`.

    A response is placed by its campaign target (same code); a response without a target (imported
    into a campaign without targets) by the register.
    """
    if scope.is_national:
        return Q()
    from barometre.collection.models import Response, Target

    targets = Target.objects.filter(campaign=campaign)
    untargeted = (
        Response.objects.filter(campaign=campaign)
        .exclude(code__in=targets.values("code"))
        .values_list("code", flat=True)
        .distinct()
    )
    return Q(code__in=targets.filter(scope.q()).values("code")) | Q(
        code__in=sorted(register_codes_in_scope(scope, untargeted))
    )


def covers_campaign(scope: Scope, campaign) -> bool:
    """True when every target and every response of the campaign lies in `scope`.

    Campaign-wide actions (open, close, closing date, waves) need it: they change every link.
    """
    if scope.is_national:
        return True
    from barometre.collection.models import Response, Target

    if Target.objects.filter(campaign=campaign).exclude(scope.q()).exists():
        return False
    outside = Response.objects.filter(campaign=campaign).exclude(responses_q(scope, campaign))
    return not outside.exists()
