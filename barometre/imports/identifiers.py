"""Identifiers as people type them, resolved against the register.

A respondent types the code Insee of their commune, the SIREN of their EPCI, the 14-digit SIRET of
their town hall, a number with spaces (« 200 069 110 ») or dots, a code whose leading zero a
spreadsheet removed (« 1001 » for 01001), the number of their département (« 29 »), or only a name.
Each distinct value is resolved once, by the first rule that finds it in the register:

| rule | example |
|---|---|
| `exact` | `29019`, `200069110`, `D29` |
| `cleaned` | `2a004`, ` 29019 ` |
| `leading_zero` | `1001` → `01001` |
| `siret` | `21290019700017` → SIREN `212900197` → `29019` |
| `siren` | `212 900 197` → `29019` (a commune's SIREN), `D29` (a département's SIREN) |
| `departement_number` | `29` → `D29` |
| `confirmed` | a name the operator confirmed with a code |

A name without code is never matched silently: the report lists candidate collectivités and the
operator confirms one (`ligne = code`). Values found by any rule other than `exact` are listed in
the import report.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import polars as pl
from stdnum.fr import siren as siren_number
from stdnum.fr import siret as siret_number

from barometre.imports.answer_checks import fold
from barometre.register.frame import Register

RULE_LABELS: dict[str, str] = {
    "exact": "code exact",
    "cleaned": "espaces, points, tirets ou casse corrigés",
    "leading_zero": "zéro initial rétabli (retiré par un tableur)",
    "siret": "SIRET ramené au SIREN",
    "siren": "SIREN converti en code du registre",
    "departement_number": "numéro de département",
    "confirmed": "nom confirmé par l'opérateur",
    "out_of_frame": "hors base de sondage",
}
OUT_OF_FRAME_PREFIX = "HB:"
OUT_OF_FRAME_WORDS = frozenset({"hors base", "hors-base", "hb", "hors base de sondage"})
_DEPARTEMENT = re.compile(r"^(?:0?[1-9]|[1-8]\d|9[0-5]|2[AB]|97[1-6])$")
_SEPARATORS = re.compile(r"[\s.\-_/\u00a0\u202f]+")
_STOP_WORDS = frozenset(
    [
        "mairie",
        "commune",
        "ville",
        "de",
        "du",
        "des",
        "la",
        "le",
        "les",
        "l",
        "d",
        "en",
        "et",
        "conseil",
        "departemental",
        "departement",
        "regional",
        "region",
        "collectivite",
        "territoriale",
        "communaute",
        "communes",
        "agglomeration",
        "urbaine",
        "cc",
        "ca",
        "cu",
        "hotel",
        "mairie",
    ]
)
_KIND_HINTS = {
    "commune": ("mairie", "commune", "ville"),
    "departement": ("departement", "departemental"),
    "region": ("region", "regional"),
    "epci": ("communaute", "agglomeration", "metropole", "cc", "ca", "cu"),
}


@dataclass(frozen=True)
class Candidate:
    """A collectivité of the register that a typed name may designate."""

    code: str
    name: str
    kind: str

    def __str__(self) -> str:
        return f"{self.name} ({self.kind}, {self.code})"


@dataclass(frozen=True)
class Resolved:
    """How one typed identifier was resolved: register code (None when not found) and rule."""

    typed: str
    code: str | None
    rule: str | None
    detail: str = ""
    siren: str | None = None
    candidates: tuple[Candidate, ...] = field(default_factory=tuple)

    @property
    def is_name(self) -> bool:
        """True when the value looks like a name rather than a code."""
        return bool(re.search(r"[A-Za-zÀ-ÿ]{3,}", self.typed)) and self.code is None


@lru_cache(maxsize=4)
def _lookups(register: Register) -> tuple[frozenset[str], dict[str, str], pl.DataFrame]:
    """Register codes, SIREN → code, and the entities with folded names (computed once)."""
    entities = register.entities
    codes = frozenset(entities.get_column("code").to_list())
    sirens = entities.filter(pl.col("siren").is_not_null()).select("siren", "code")
    by_siren = dict(zip(sirens["siren"].to_list(), sirens["code"].to_list(), strict=True))
    folded = entities.select(
        "code",
        "name",
        "kind",
        "population",
        pl.col("name")
        .str.normalize("NFKD")
        .str.replace_all(r"\p{Mn}", "")
        .str.to_lowercase()
        .str.replace_all(r"[’'`\-]", " ")
        .alias("folded"),
    )
    return codes, by_siren, folded


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s'’\-,.;()]+", fold(text)) if w]


def candidates(text: str, register: Register, limit: int = 5) -> tuple[Candidate, ...]:
    """Collectivités whose name holds every significant word of `text` (best first)."""
    _, _, folded = _lookups(register)
    words = _words(text)
    significant = [w for w in words if w not in _STOP_WORDS]
    if not significant:
        return ()
    hinted = {kind for kind, hints in _KIND_HINTS.items() if any(h in words for h in hints)}
    found = folded.filter(
        pl.all_horizontal(
            pl.col("folded").str.contains(rf"(?:^|\s){re.escape(word)}(?:\s|$)")
            for word in significant
        )
    )
    if found.height == 0:
        return ()
    target = " ".join(significant)
    ranked = found.with_columns(
        (pl.col("folded") == target).alias("__exact"),
        pl.col("kind").is_in(list(hinted)).alias("__hinted"),
    ).sort(
        ["__hinted", "__exact", "population"],
        descending=[True, True, True],
        nulls_last=True,
    )
    return tuple(
        Candidate(code, name, kind)
        for code, name, kind in ranked.head(limit).select("code", "name", "kind").iter_rows()
    )


def siren_candidates(siren: str, register: Register) -> tuple[Candidate, ...]:
    """Collectivités a SIREN absent from the register may belong to, from the SIREN's structure.

    The register has no SIREN for départements: INSEE numbered their SIRENs `22` + the
    département's number (Ain 220 100 010, Finistère 222 900 016), so `22DD…` proposes the
    département DD, to be confirmed by the operator (never matched silently).
    """
    codes, _, folded = _lookups(register)
    if len(siren) == 9 and siren.startswith("22"):
        number = siren[2:4] if siren[2:4] != "97" else siren[2:5]
        code = "D" + number
        if code in codes:
            row = folded.filter(pl.col("code") == code).row(0, named=True)
            return (Candidate(code, row["name"], row["kind"]),)
    return ()


def resolve_one(typed: str, register: Register) -> Resolved:
    """Resolve one typed identifier with the first rule that finds it in the register."""
    codes, by_siren, _ = _lookups(register)
    text = typed.strip()
    if text in codes:
        return Resolved(typed, text, "exact")
    cleaned = _SEPARATORS.sub("", text).upper()
    if cleaned in codes:
        return Resolved(typed, cleaned, "cleaned")
    if cleaned.isdigit():
        if len(cleaned) == 4 and "0" + cleaned in codes:
            return Resolved(typed, "0" + cleaned, "leading_zero")
        if len(cleaned) == 14:
            siren = siret_number.to_siren(cleaned)
            detail = "" if siret_number.is_valid(cleaned) else "clé de contrôle du SIRET invalide"
            code = by_siren.get(siren)
            found = () if code else siren_candidates(siren, register)
            return Resolved(typed, code, "siret" if code else None, detail, siren, found)
        if len(cleaned) == 9:
            code = by_siren.get(cleaned)
            detail = "" if siren_number.is_valid(cleaned) else "clé de contrôle du SIREN invalide"
            found = () if code else siren_candidates(cleaned, register)
            return Resolved(typed, code, "siren" if code else None, detail, cleaned, found)
    if _DEPARTEMENT.match(cleaned):
        number = cleaned.zfill(2) if cleaned.isdigit() else cleaned
        if "D" + number in codes:
            return Resolved(typed, "D" + number, "departement_number")
    resolved = Resolved(typed, None, None)
    if resolved.is_name:
        return Resolved(typed, None, None, candidates=candidates(text, register))
    return resolved


def out_of_frame_code(resolved: Resolved) -> str:
    """A stable code for a respondent outside the register: `HB:` + SIREN, or a digest of the name."""
    if resolved.siren:
        return OUT_OF_FRAME_PREFIX + resolved.siren
    digest = hashlib.sha1(fold(resolved.typed).encode("utf-8")).hexdigest()[:12]
    return OUT_OF_FRAME_PREFIX + digest


def resolve_identifiers(
    typed: pl.Series,
    register: Register,
    confirmations: Mapping[int, str] | None = None,
    lines: pl.Series | None = None,
    names: pl.Series | None = None,
) -> pl.DataFrame:
    """For each row: typed value, register code (null if not found), rule, detail, SIREN, candidates.

    `confirmations` maps a file line to the register code the operator chose for it. `names` (the
    respondents' names, when the file has them) give candidates for a code absent from the register,
    so that a collectivité typing a SIREN the register lacks is never taken for an outsider.
    """
    confirmations = dict(confirmations or {})
    text = typed.cast(pl.String).fill_null("").str.strip_chars()
    if names is not None:
        named = names.cast(pl.String).fill_null("").str.strip_chars()
        pairs = pl.DataFrame({"t": text, "n": named}).unique(maintain_order=True).rows()
        decided: dict[str, Resolved] = {}
        for value, name in pairs:
            if not value:
                continue
            resolved = resolve_one(value, register)
            if resolved.code is None and not resolved.candidates and name:
                resolved = Resolved(
                    resolved.typed,
                    None,
                    None,
                    resolved.detail,
                    resolved.siren,
                    candidates(name, register),
                )
            key = f"{value}\x1f{name}"
            decided[key] = resolved
        table = _table(decided)
        rows = pl.DataFrame({"typed": text, "__name": named}).select(
            "typed", pl.concat_str(["typed", "__name"], separator="\x1f").alias("__key")
        )
        if lines is not None:
            rows = rows.with_columns(lines.alias("__line"))
        resolved_rows = rows.join(
            table.rename({"typed": "__key"}), on="__key", how="left", maintain_order="left"
        ).drop("__key")
        return _confirm(resolved_rows, register, confirmations, lines)
    decided = {value: resolve_one(value, register) for value in text.unique().to_list() if value}
    table = _table(decided)
    rows = pl.DataFrame({"typed": text})
    if lines is not None:
        rows = rows.with_columns(lines.alias("__line"))
    resolved = rows.join(table, on="typed", how="left", maintain_order="left")
    return _confirm(resolved, register, confirmations, lines)


def _table(decided: Mapping[str, Resolved]) -> pl.DataFrame:
    """One row per distinct typed value (or value and name): code, rule, detail, candidates."""
    return pl.DataFrame(
        {
            "typed": list(decided),
            "code": [r.code for r in decided.values()],
            "rule": [r.rule for r in decided.values()],
            "detail": [r.detail for r in decided.values()],
            "siren": [r.siren for r in decided.values()],
            "candidates": [
                "; ".join(str(c) for c in r.candidates) if r.candidates else None
                for r in decided.values()
            ],
            "out_of_frame_code": [out_of_frame_code(r) for r in decided.values()],
        },
        schema={
            "typed": pl.String,
            "code": pl.String,
            "rule": pl.String,
            "detail": pl.String,
            "siren": pl.String,
            "candidates": pl.String,
            "out_of_frame_code": pl.String,
        },
    )


def _confirm(
    resolved: pl.DataFrame,
    register: Register,
    confirmations: Mapping[int, str],
    lines: pl.Series | None,
) -> pl.DataFrame:
    """Apply the operator's confirmations (`ligne = code` or `ligne = hors base`)."""
    resolved = resolved.with_columns(pl.lit(False).alias("confirmed_out"))
    if confirmations and lines is not None:
        codes, _, _ = _lookups(register)
        chosen = pl.DataFrame(
            {
                "__line": list(confirmations),
                "__confirmed": [c.strip() for c in confirmations.values()],
            },
            schema={"__line": pl.Int64, "__confirmed": pl.String},
        )
        out = chosen.filter(
            pl.col("__confirmed").str.to_lowercase().is_in(list(OUT_OF_FRAME_WORDS))
        ).select("__line", pl.lit(True).alias("__out"))
        chosen = chosen.filter(pl.col("__confirmed").is_in(list(codes)))
        resolved = (
            resolved.join(chosen, on="__line", how="left", maintain_order="left")
            .join(out, on="__line", how="left", maintain_order="left")
            .with_columns(
                pl.coalesce("__confirmed", "code").alias("code"),
                pl.when(pl.col("__confirmed").is_not_null())
                .then(pl.lit("confirmed"))
                .otherwise(pl.col("rule"))
                .alias("rule"),
                pl.col("__out").fill_null(False).alias("confirmed_out"),
            )
            .drop("__confirmed", "__out")
        )
    return resolved
