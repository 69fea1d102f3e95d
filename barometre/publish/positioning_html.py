"""HTML pieces of the positioning reports, built once and shared by many reports.

A question's peer distribution is rendered once per (group, own answer); the score and number
blocks of every respondent are built as Polars string columns; the report skeleton (template
`positioning/report.html`) is rendered once and cut into its static parts.
"""

from __future__ import annotations

from functools import lru_cache

import jinja2
import polars as pl
from markupsafe import Markup, escape

from barometre.edition.private_reports import STYLESHEET
from barometre.publish.numbers import count, percent
from barometre.publish.peer_groups import LEVELS, MIN_GROUP_SIZE, group_label
from barometre.publish.site import stylesheet as site_stylesheet
from barometre.publish.themes import Theme
from barometre.questionnaire.model import NSP_CODE, NSP_LABEL, Question, QuestionType

MINORITY = 0.25
QUARTER_TEXT = {
    0: "au même score que la moitié centrale de ce groupe",
    1: "dans le quart le moins avancé de ce groupe (au plus le 1er quartile)",
    2: "entre le 1er quartile et la médiane de ce groupe",
    3: "entre la médiane et le 3e quartile de ce groupe",
    4: "dans le quart le plus avancé de ce groupe (au-dessus du 3e quartile)",
}
TOO_FEW = (
    f'<p class="note">Moins de {MIN_GROUP_SIZE} collectivités ont répondu ici : rien n\'est '
    "montré sur vos pairs.</p>"
)
LEGEND = (
    '<ul class="legend" aria-label="Légende des échelles de score">'
    '<li><span class="key you"></span>votre score</li>'
    '<li><span class="key med"></span>médiane de vos pairs</li>'
    '<li><span class="key iqr"></span>moitié centrale de vos pairs (du 1er au 3e quartile)</li>'
    "</ul>"
)
SLOTS = ("name", "edition_title", "identity", "overall", "intro", "toc", "themes", "footer")


# ------------------------------------------------------------------------------ the skeleton


def environment() -> jinja2.Environment:
    """Jinja2 environment of the positioning template and stylesheet."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("barometre.publish", "templates/positioning"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def stylesheet(theme: Theme) -> str:
    """The site's stylesheet plus the positioning additions, for one visual theme."""
    own = environment().get_template("style.css").render(theme=theme)
    return site_stylesheet(theme) + "\n" + own


def skeleton() -> tuple[list[str], list[str]]:
    """The report template cut at its slots: the static texts and the slot between each two."""
    marks = {slot: Markup(f"\x00{slot}\x00") for slot in SLOTS}
    text = environment().get_template("report.html").render(stylesheet=STYLESHEET, **marks)
    parts = text.split("\x00")
    return parts[0::2], parts[1::2]


def assemble(static: list[str], slots: list[str], values: dict[str, str]) -> str:
    """One page: the static texts with each slot's value in between."""
    pieces = [static[0]]
    for slot, after in zip(slots, static[1:], strict=True):
        pieces.append(values[slot])
        pieces.append(after)
    return "".join(pieces)


# ------------------------------------------------------------------------- French text in Polars


def fr_int(expr: pl.Expr) -> pl.Expr:
    """A rounded number as French text with narrow no-break spaces between thousands."""
    n = expr.round(0).cast(pl.Int64)
    low = (n.abs() % 1000).cast(pl.String)
    mid = (n.abs() // 1000 % 1000).cast(pl.String)
    high = (n.abs() // 1_000_000).cast(pl.String)
    sign = pl.when(n < 0).then(pl.lit("−")).otherwise(pl.lit(""))
    body = (
        pl.when(n.abs() >= 1_000_000)
        .then(
            pl.concat_str(
                high, pl.lit("\u202f"), mid.str.zfill(3), pl.lit("\u202f"), low.str.zfill(3)
            )
        )
        .when(n.abs() >= 1000)
        .then(pl.concat_str(mid, pl.lit("\u202f"), low.str.zfill(3)))
        .otherwise(low)
    )
    return pl.concat_str(sign, body)


def fr_number(expr: pl.Expr) -> pl.Expr:
    """Integers as `fr_int`, other values with one decimal and a comma (`12,5`)."""
    tenths = (expr * 10).round(0).cast(pl.Int64)
    decimal = pl.concat_str(
        pl.when(tenths < 0).then(pl.lit("−")).otherwise(pl.lit("")),
        fr_int(tenths.abs() // 10),
        pl.lit(","),
        (tenths.abs() % 10).cast(pl.String),
    )
    return pl.when(tenths.abs() % 10 == 0).then(fr_int(expr)).otherwise(decimal)


def _pos(expr: pl.Expr) -> pl.Expr:
    """A 0–100 value as the integer of a CSS position class (`l37`, `w37`)."""
    return expr.clip(0, 100).round(0).cast(pl.Int64).cast(pl.String)


def gauge_expr(score: str, q1: str, median: str, q3: str) -> pl.Expr:
    """The score scale: peers' middle half (box), median (line), the respondent (dot)."""
    width = (pl.col(q3).clip(0, 100).round(0) - pl.col(q1).clip(0, 100).round(0)).clip(1, 100)
    return pl.concat_str(
        pl.lit('<div class="gauge" aria-hidden="true"><span class="iqr l'),
        _pos(pl.col(q1)),
        pl.lit(" w"),
        width.cast(pl.Int64).cast(pl.String),
        pl.lit('"></span><span class="med l'),
        _pos(pl.col(median)),
        pl.lit('"></span><span class="you l'),
        _pos(pl.col(score)),
        pl.lit(
            '"></span></div><div class="ticks" aria-hidden="true"><span>0</span><span>25</span>'
            "<span>50</span><span>75</span><span>100</span></div>"
        ),
    )


def _quarter_text(column: str) -> pl.Expr:
    """The sentence of a quarter (see `peer_answers.quarter_of`)."""
    return pl.col(column).replace_strict(QUARTER_TEXT, default="", return_dtype=pl.String)


def score_html(scores: pl.DataFrame, names: pl.DataFrame) -> pl.DataFrame:
    """`code`, `theme`, `score_html`: own score and level, gauge, peers' quartiles, next level.

    `scores` comes from `peer_scores.score_positions`; `names` has `code`, `level`, `group_name`.
    """
    escaped = scores.with_columns(
        pl.col(c).map_elements(lambda v: str(escape(v)), return_dtype=pl.String)
        for c in ("level", "next_level", "next_level_description")
    ).join(names.rename({"level": "peer_level"}), on=["code", "peer_level"], how="left")
    title = (
        pl.when(pl.col("theme") == "_global")
        .then(pl.lit("Indice global"))
        .otherwise(pl.lit("Votre score"))
    )
    level = (
        pl.when(pl.col("level").is_not_null())
        .then(pl.concat_str(pl.lit(" — niveau «\u00a0"), pl.col("level"), pl.lit("\u00a0»")))
        .otherwise(pl.lit(""))
    )
    own = pl.concat_str(
        pl.lit("<p><strong>"),
        title,
        pl.lit(" : "),
        fr_int(pl.col("score")),
        pl.lit(" / 100</strong>"),
        level,
        pl.lit(".</p>"),
    )
    peers = pl.concat_str(
        gauge_expr("score", "peer_q1", "peer_median", "peer_q3"),
        pl.lit("<p>Vous vous situez "),
        _quarter_text("quarter"),
        pl.lit(". Vos pairs ("),
        pl.col("group_name"),
        pl.lit(", "),
        fr_int(pl.col("peer_n")),
        pl.lit(" collectivités) : médiane "),
        fr_int(pl.col("peer_median")),
        pl.lit(", moitié centrale entre "),
        fr_int(pl.col("peer_q1")),
        pl.lit(" et "),
        fr_int(pl.col("peer_q3")),
        pl.lit(", moyenne "),
        fr_int(pl.col("peer_mean")),
        pl.lit(".</p>"),
    )
    recommendation = (
        pl.when(pl.col("theme") == "_global")
        .then(pl.lit(""))
        .when(pl.col("next_level").is_not_null())
        .then(
            pl.concat_str(
                pl.lit("<p><strong>Recommandation : viser le niveau «\u00a0"),
                pl.col("next_level"),
                pl.lit("\u00a0».</strong> "),
                pl.col("next_level_description").fill_null(""),
                pl.lit("</p>"),
            )
        )
        .when(pl.col("level").is_not_null())
        .then(pl.lit("<p>Vous avez atteint le niveau le plus élevé de l'échelle sur ce thème.</p>"))
        .otherwise(pl.lit(""))
    )
    html = (
        pl.when(pl.col("score").is_null())
        .then(pl.lit('<p class="note">Score non calculé (trop peu de réponses).</p>'))
        .when(pl.col("peer_level").is_null())
        .then(pl.concat_str(own, pl.lit(TOO_FEW), recommendation))
        .otherwise(pl.concat_str(own, peers, recommendation))
    )
    return escaped.select("code", "theme", html.alias("score_html"))


def numeric_html(
    numbers: pl.DataFrame, questions: dict[str, Question], names: pl.DataFrame
) -> pl.DataFrame:
    """`code`, `question`, `html`: own value, then the peers' weighted quartiles."""
    meta = pl.DataFrame(
        {
            "question": pl.Series(list(questions), dtype=pl.String),
            "title": pl.Series([str(escape(q.label)) for q in questions.values()], dtype=pl.String),
            "unit": pl.Series(
                [
                    " %"
                    if q.type is QuestionType.PERCENTAGE
                    else (f" {escape(q.unit)}" if q.unit else "")
                    for q in questions.values()
                ],
                dtype=pl.String,
            ),
        }
    )
    frame = numbers.join(meta, on="question").join(names, on=["code", "level"], how="left")
    own = pl.concat_str(
        pl.lit('<div class="q"><h3>'),
        pl.col("title"),
        pl.lit('</h3><p class="own">Votre réponse : <strong>'),
        fr_number(pl.col("value")),
        pl.col("unit"),
        pl.lit("</strong></p>"),
    )
    peers = pl.concat_str(
        pl.lit("<p>Chez vos pairs ("),
        pl.col("group_name"),
        pl.lit(", "),
        fr_int(pl.col("peer_n")),
        pl.lit(" réponses) : médiane "),
        fr_number(pl.col("median")),
        pl.col("unit"),
        pl.lit(" ; la moitié centrale répond entre "),
        fr_number(pl.col("q1")),
        pl.lit(" et "),
        fr_number(pl.col("q3")),
        pl.col("unit"),
        pl.lit(". Votre réponse se situe "),
        _quarter_text("quarter"),
        pl.lit(".</p>"),
    )
    html = pl.concat_str(
        own,
        pl.when(pl.col("level").is_null() | pl.col("median").is_null())
        .then(pl.lit(TOO_FEW))
        .otherwise(peers),
        pl.lit("</div>"),
    )
    return frame.select("code", "question", html.alias("html"))


# ----------------------------------------------------------------------------- closed questions


def option_labels(question: Question) -> dict[str, str]:
    """Code → label of every answer of a closed question, `nsp` included."""
    labels = {o.code: o.label for o in question.options}
    labels[NSP_CODE] = NSP_LABEL
    return labels


def closed_block(
    question: Question, shares: dict[str, float] | None, n: int | None, own: str, name: str
) -> str:
    """One closed question: own answer, then the peers' weighted share of each answer."""
    labels = option_labels(question)
    mine = set(own.split(" "))
    own_text = ", ".join(labels.get(c, c) for c in own.split(" "))
    parts = [
        f'<div class="q"><h3>{escape(question.label)}</h3>',
        f'<p class="own">Votre réponse : <strong>{escape(own_text)}</strong></p>',
    ]
    if shares is None:
        parts.append(TOO_FEW)
    else:
        several = (
            " ; plusieurs réponses possibles"
            if question.type is QuestionType.MULTIPLE_CHOICE
            else ""
        )
        parts.append(
            f'<table class="dist"><caption>Vos pairs : {escape(name)}, {count(n)} réponses '
            f"(parts pondérées{several})</caption><thead><tr><th scope=col>Réponse</th>"
            "<th scope=col>Part de vos pairs</th></tr></thead><tbody>"
        )
        for code in question.codes:
            share = shares.get(code, 0.0)
            if code == NSP_CODE and share == 0 and code not in mine:
                continue
            if code in mine:
                parts.append(
                    f"<tr class=mine><th scope=row>{escape(labels.get(code, code))} <span "
                    f"class=you-tag>votre réponse</span></th>"
                )
            else:
                parts.append(f"<tr><th scope=row>{escape(labels.get(code, code))}</th>")
            parts.append(
                f"<td><span class=bar><span class=w{round(100 * share)}></span></span>"
                f"{percent(share)}</td></tr>"
            )
        parts.append("</tbody></table>")
    parts.append("</div>")
    return "".join(parts)


def matrix_key(question: Question) -> str:
    """Key of a table of maturity items sharing the same answers (one table per scale)."""
    return "|".join(question.codes) if question.type is QuestionType.MATURITY else ""


def matrix_head(question: Question) -> str:
    """Opening of the table of a theme's maturity items: one column per level."""
    labels = option_labels(question)
    columns = "".join(f"<th scope=col>{escape(labels[c])}</th>" for c in question.codes)
    return (
        '<div class="scroll" tabindex="0" role="region" aria-label="Items du thème">'
        '<table class="levels"><caption>Votre niveau (surligné) et la part de '
        "vos pairs à chaque niveau, item par item (parts pondérées)</caption><thead><tr>"
        f"<th scope=col>Item</th>{columns}</tr></thead><tbody>"
    )


MATRIX_END = "</tbody></table></div>"


def maturity_row(
    question: Question,
    shares: dict[str, float] | None,
    n: int | None,
    own: str,
    name: str,
    widened: bool,
) -> str:
    """One maturity item: its label, then the peers' share of each level, the own level marked."""
    note = f"{count(n)} réponses" if n else ""
    if widened and shares is not None:
        note += f", groupe élargi : {escape(name)}"
    head = f"<tr><th scope=row>{escape(question.label)}"
    head += f' <span class="note">({note})</span></th>' if note else "</th>"
    if shares is None:
        return (
            f"{head}<td colspan={len(question.codes)}>Votre niveau : "
            f"{escape(option_labels(question).get(own, own))}. Moins de {MIN_GROUP_SIZE} "
            "réponses : rien n'est montré sur vos pairs.</td></tr>"
        )
    cells = []
    for code in question.codes:
        value = percent(shares.get(code, 0.0))
        if code == own:
            cells.append(
                f"<td class=mine><strong>{value}</strong> <span class=you-tag>vous</span></td>"
            )
        else:
            cells.append(f"<td>{value}</td>")
    return head + "".join(cells) + "</tr>"


# ------------------------------------------------------------------------------- per report text


def plural(n: int, word: str, plural_form: str | None = None) -> str:
    """`1 question`, `3 questions`."""
    return f"{count(n)} {word if n == 1 else plural_form or word + 's'}"


@lru_cache(maxsize=4096)
def theme_summary(n_asked: int, n_answered: int, majority: int, minority: int, single: int) -> str:
    """How many questions answered, and how often with the peers' most frequent answer."""
    if n_answered == 0:
        return "<p>Vous n'avez répondu à aucune question de ce thème.</p>"
    if n_answered == n_asked:
        text = (
            "Vous avez répondu à la question de ce thème."
            if n_asked == 1
            else f"Vous avez répondu aux {count(n_asked)} questions de ce thème."
        )
    else:
        text = (
            f"Vous avez répondu à {count(n_answered)} des {count(n_asked)} questions de ce thème."
        )
    if single == 1:
        text += (
            " Pour la question à réponse unique, votre réponse est aussi la plus fréquente chez "
            "vos pairs."
            if majority
            else " Pour la question à réponse unique, votre réponse n'est pas la plus fréquente "
            "chez vos pairs"
            + (" : moins d'un quart d'entre eux répondent comme vous." if minority else ".")
        )
    elif single > 1:
        text += f" Sur les {count(single)} questions à réponse unique, votre réponse "
        text += (
            f"est aussi la plus fréquente chez vos pairs pour {count(majority)}"
            if majority
            else "n'est jamais la plus fréquente chez vos pairs"
        )
        if minority:
            text += (
                " ; elle est minoritaire (moins d'un quart de vos pairs répondent comme vous) "
                f"pour {count(minority)}"
            )
        text += "."
    return f'<p class="summary">{text}</p>'


def level_names(kind_detail: str | None, size_class: str | None) -> dict[str, str]:
    """French names of a respondent's group at each level."""
    return {level: group_label(level, kind_detail, size_class) for level in LEVELS}


def intro(
    names: dict[str, str],
    own_n: int,
    main: str | None,
    widened: dict[str, list[str]],
    peer_min: int,
) -> str:
    """Who the peers are, which wider groups were used and where, and how to read the report."""
    parts = [
        "<p>Vos pairs sont les collectivités répondantes du même type et de la même taille que "
        f"la vôtre : <strong>{escape(names['kind_size'])}</strong> "
        f"({plural(own_n, 'collectivité répondante', 'collectivités répondantes')}, la vôtre "
        "comprise).</p>"
    ]
    if main == "none":
        parts.append(
            f'<p class="widened">Trop peu de collectivités ont répondu (moins de {MIN_GROUP_SIZE}, '
            "même en comptant toutes les collectivités répondantes) : ce rapport ne montre rien "
            "sur vos pairs, seulement vos propres réponses.</p>"
        )
    if main and main not in ("kind_size", "none"):
        parts.append(
            f'<p class="widened">Ce groupe compte trop peu de réponses (moins de {peer_min} pour '
            "la plupart des questions) : la comparaison porte sur le groupe élargi "
            f"<strong>{escape(names[main])}</strong>.</p>"
        )
    for level in (*LEVELS, "none"):
        if level == main or level not in widened:
            continue
        themes = ", ".join(f"«\u00a0{escape(t)}\u00a0»" for t in widened[level])
        if level == "none":
            parts.append(
                f'<p class="widened">Pour certaines questions (thèmes {themes}), moins de '
                f"{MIN_GROUP_SIZE} collectivités ont répondu : rien n'y est montré sur vos "
                "pairs.</p>"
            )
        elif level != "kind_size":
            parts.append(
                f'<p class="widened">Pour certaines questions, trop peu de vos pairs ont répondu '
                f"(moins de {peer_min}) : la comparaison y porte sur le groupe élargi "
                f"<strong>{escape(names[level])}</strong> (thèmes {themes}).</p>"
            )
        else:
            parts.append(
                f'<p class="widened">Dans les thèmes {themes}, la comparaison porte sur votre '
                f"groupe <strong>{escape(names[level])}</strong>.</p>"
            )
    parts.append(
        "<p>Pour chaque question, votre réponse figure à côté de la part de vos pairs qui ont "
        "donné chaque réponse (parts pondérées pour représenter toutes les collectivités du "
        "groupe). Seules des parts et des quartiles de groupes sont montrés : aucun classement, "
        "aucune réponse d'une autre collectivité, et rien sur un groupe de moins de "
        f"{MIN_GROUP_SIZE} répondants.</p>"
    )
    return "".join(parts)
