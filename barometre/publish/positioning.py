"""Private positioning reports: each respondent's theme scores against its peers' distribution.

Peers are the respondents of the same kind and size class; a peer group with fewer than
`peer_min` respondents is merged into the same kind (all sizes), then into all respondents, and the
report says so. Only weighted quartiles and means of groups are shown: never a rank, never
another respondent's answer. Files are named by an HMAC of the code (the private link).
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import jinja2
import polars as pl

from barometre.publish.numbers import count
from barometre.publish.themes import Theme
from barometre.publish.wording import KIND_LABELS

PEER_MIN = 10
LEVELS = (
    ("kind_size", ["kind_detail", "size_class"]),
    ("kind", ["kind_detail"]),
    ("all", []),
)
QUARTER_TEXT = {
    1: "dans le quart des collectivités les moins avancées de ce groupe",
    2: "dans le deuxième quart (sous la médiane du groupe)",
    3: "dans le troisième quart (au-dessus de la médiane du groupe)",
    4: "dans le quart des collectivités les plus avancées de ce groupe",
}
LINKS_FILE = "liens.csv"


def private_token(secret: str, edition_id: str, code: str) -> str:
    """Unguessable, stable token of a respondent's private link."""
    return hmac.new(secret.encode(), f"{edition_id}:{code}".encode(), hashlib.sha256).hexdigest()[
        :32
    ]


def peer_distributions(scored: pl.DataFrame) -> pl.DataFrame:
    """Weighted quartiles, mean and size of each peer group × theme, at every grouping level."""
    parts = []
    for level, keys in LEVELS:
        by = [*keys, "theme"]
        grouped = (
            scored.sort("score")
            .with_columns(
                cw=pl.col("weight").cum_sum().over(by), tw=pl.col("weight").sum().over(by)
            )
            .group_by(by)
            .agg(
                n=pl.len(),
                mean=(pl.col("score") * pl.col("weight")).sum() / pl.col("weight").sum(),
                **{
                    name: pl.col("score").filter(pl.col("cw") >= q * pl.col("tw")).first()
                    for name, q in (("q1", 0.25), ("median", 0.5), ("q3", 0.75))
                },
            )
            .with_columns(level=pl.lit(level))
        )
        for k in ("kind_detail", "size_class"):
            if k not in keys:
                grouped = grouped.with_columns(pl.lit(None, dtype=pl.String).alias(k))
        parts.append(
            grouped.select(
                "level", "kind_detail", "size_class", "theme", "n", "mean", "q1", "median", "q3"
            )
        )
    return pl.concat(parts)


def positions(
    scores: pl.DataFrame,
    respondents: pl.DataFrame,
    recommendations: pl.DataFrame,
    peer_min: int = PEER_MIN,
    levels_scale: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per respondent × theme: score, level, peer group used, its quartiles, quarter, next level."""
    people = respondents.select(
        "code", "weight", "kind_detail", pl.col("size_class").cast(pl.String)
    )
    scored = (
        scores.select("code", "theme", "score")
        .join(people, on="code")
        .filter(pl.col("score").is_not_null())
    )
    dist = peer_distributions(scored)
    base = scores.select("code", "theme", "score").join(people, on="code")
    own = dist.filter(pl.col("level") == "kind_size").drop("level")
    kind = dist.filter(pl.col("level") == "kind").drop("level", "size_class")
    every = dist.filter(pl.col("level") == "all").drop("level", "kind_detail", "size_class")
    rows = (
        base.join(own, on=["kind_detail", "size_class", "theme"], how="left")
        .join(kind, on=["kind_detail", "theme"], how="left", suffix="_kind")
        .join(every, on="theme", how="left", suffix="_all")
    )
    use_own = pl.col("n").fill_null(0) >= peer_min
    use_kind = ~use_own & (pl.col("n_kind").fill_null(0) >= peer_min)
    rows = rows.with_columns(
        peer_level=pl.when(use_own)
        .then(pl.lit("kind_size"))
        .when(use_kind)
        .then(pl.lit("kind"))
        .otherwise(pl.lit("all")),
        **{
            f"peer_{s}": pl.when(use_own)
            .then(pl.col(s))
            .when(use_kind)
            .then(pl.col(f"{s}_kind"))
            .otherwise(pl.col(f"{s}_all"))
            for s in ("n", "mean", "q1", "median", "q3")
        },
    )
    quarter = (
        pl.when(pl.col("score").is_null())
        .then(None)
        .when(pl.col("score") < pl.col("peer_q1"))
        .then(1)
        .when(pl.col("score") < pl.col("peer_median"))
        .then(2)
        .when(pl.col("score") < pl.col("peer_q3"))
        .then(3)
        .otherwise(4)
    )
    if "next_level_description" not in recommendations.columns and levels_scale is not None:
        recommendations = recommendations.join(
            levels_scale.select(
                pl.col("level").alias("next_level"),
                pl.col("description").alias("next_level_description"),
            ),
            on="next_level",
            how="left",
        )
    rec = recommendations.select("code", "theme", "level", "next_level", "next_level_description")
    return (
        rows.with_columns(quarter=quarter)
        .join(rec, on=["code", "theme"], how="left")
        .select(
            "code",
            "theme",
            "score",
            "level",
            "next_level",
            "next_level_description",
            "kind_detail",
            "size_class",
            "peer_level",
            "peer_n",
            "peer_mean",
            "peer_q1",
            "peer_median",
            "peer_q3",
            "quarter",
            pl.col("n_all").alias("all_n"),
            pl.col("mean_all").alias("all_mean"),
            pl.col("q1_all").alias("all_q1"),
            pl.col("median_all").alias("all_median"),
            pl.col("q3_all").alias("all_q3"),
        )
    )


def _peer_label(level: str, kind_detail: str, size_class: str) -> str:
    """French name of the peer group."""
    kind = KIND_LABELS.get(kind_detail, kind_detail).lower()
    if level == "kind_size":
        return f"{kind}, {size_class}"
    if level == "kind":
        return f"{kind}, toutes tailles"
    return "toutes les collectivités répondantes"


def environment() -> jinja2.Environment:
    """Jinja2 environment of the positioning template."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("barometre.publish", "templates/positioning"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _fmt(frame: pl.DataFrame) -> pl.DataFrame:
    """Pre-formatted French text columns (vectorised) for the template."""

    def fr(col: str) -> pl.Expr:
        return pl.col(col).round(0).cast(pl.Int64).cast(pl.String).fill_null("–")

    def pct(col: str) -> pl.Expr:
        return pl.col(col).clip(0, 100).round(1).cast(pl.String).fill_null("0")

    return frame.with_columns(
        score_txt=fr("score"),
        peer_mean_txt=fr("peer_mean"),
        peer_q1_txt=fr("peer_q1"),
        peer_median_txt=fr("peer_median"),
        peer_q3_txt=fr("peer_q3"),
        all_median_txt=fr("all_median"),
        all_mean_txt=fr("all_mean"),
        all_n_txt=fr("all_n"),
        all_q1_txt=fr("all_q1"),
        all_q3_txt=fr("all_q3"),
        box_left=pct("peer_q1"),
        box_width=(pl.col("peer_q3") - pl.col("peer_q1"))
        .clip(0, 100)
        .round(1)
        .cast(pl.String)
        .fill_null("0"),
        marker=pct("score"),
    )


def write_positioning_reports(
    table: pl.DataFrame,
    respondents: pl.DataFrame,
    theme_labels: dict[str, str],
    out_dir: str | Path,
    theme: Theme,
    edition: dict,
    secret: str,
    peer_min: int = PEER_MIN,
) -> Path:
    """One private HTML report per respondent (named by its token) and the operator's links file."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    template = environment().get_template("report.html")
    css = environment().get_template("style.css").render(theme=theme)
    edition_id = str(edition.get("id", ""))
    names = dict(zip(respondents["code"].to_list(), respondents["name"].to_list(), strict=True))
    table = _fmt(table.filter(pl.col("theme").is_in(list(theme_labels))))
    tokens = []
    for (code,), group in table.partition_by("code", as_dict=True, maintain_order=True).items():
        rows = group.to_dicts()
        token = private_token(secret, edition_id, code)
        tokens.append((code, token))
        first = rows[0]
        for r in rows:
            r["theme_label"] = theme_labels.get(r["theme"], r["theme"])
            r["peer_label"] = _peer_label(r["peer_level"], r["kind_detail"], r["size_class"])
            r["merged"] = r["peer_level"] != "kind_size"
            r["quarter_text"] = QUARTER_TEXT.get(
                r["quarter"], "score non calculé (trop peu de réponses)"
            )
            r["peer_n_txt"] = count(r["peer_n"])
        html = template.render(
            css=css,
            edition=edition,
            name=names.get(code, code),
            code=code,
            kind=KIND_LABELS.get(first["kind_detail"], first["kind_detail"]),
            size_class=first["size_class"],
            rows=rows,
            peer_min=peer_min,
        )
        (out / f"{token}.html").write_text(html, encoding="utf-8")
    pl.DataFrame(tokens, schema=["code", "token"], orient="row").with_columns(
        fichier=pl.col("token") + ".html"
    ).write_csv(out / LINKS_FILE)
    return out


def positioning_pdf(html_path: str | Path, pdf_path: str | Path | None = None) -> Path:
    """PDF (A4, WeasyPrint) of one positioning report, on demand."""
    import weasyprint

    source = Path(html_path)
    target = Path(pdf_path) if pdf_path else source.with_suffix(".pdf")
    weasyprint.HTML(filename=str(source)).write_pdf(target)
    return target
