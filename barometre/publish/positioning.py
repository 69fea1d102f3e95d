"""Private « où vous situez-vous » reports: every respondent's answers next to its peers'.

For any questionnaire: per question, the respondent's own answer next to the weighted share of
its peers giving each answer (numbers: its value next to the peers' weighted quartiles); per
theme a short summary; the maturity scores, the overall index and level at the top, where the
questionnaire has maturity items. Peers are chosen by `barometre.publish.peer_groups` (same kind ×
size class, widened when too small, nothing below `MIN_GROUP_SIZE`); only weighted shares and
quartiles of groups are shown: never a rank, never another respondent's answer or name.

All respondents are computed at once (Polars); the HTML of a question's peer distribution is
rendered once per group and answer, then every report is assembled from these pieces and written
(`write_positioning_reports`). Files are named by an HMAC of the code (the private link).
"""

from __future__ import annotations

import hashlib
import hmac
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from pathlib import Path

import polars as pl
from markupsafe import escape

from barometre.edition.private_reports import (
    LINKS_FILE,
    edition_record,
    write_edition_record,
)
from barometre.publish.peer_answers import (
    chosen_options,
    numeric_values,
    option_shares,
    own_answers,
    quarter_of,
    weighted_quartiles,
)
from barometre.publish.peer_groups import (
    LEVELS,
    MIN_GROUP_SIZE,
    check_peer_min,
    choose_groups,
    group_label,
    with_group_keys,
)
from barometre.publish.peer_scores import OVERALL, score_positions
from barometre.publish.positioning_html import (
    LEGEND,
    MATRIX_END,
    MINORITY,
    STYLESHEET,
    assemble,
    closed_block,
    fr_int,
    intro,
    level_names,
    matrix_head,
    matrix_key,
    maturity_row,
    numeric_html,
    score_html,
    skeleton,
    stylesheet,
    theme_summary,
)
from barometre.publish.themes import Theme
from barometre.publish.wording import KIND_LABELS
from barometre.questionnaire.model import Questionnaire, QuestionType
from barometre.register.spreadsheet_cells import neutralise_frame

PEER_MIN = MIN_GROUP_SIZE
SINGLE_VALUED = (QuestionType.SINGLE_CHOICE, QuestionType.YES_NO, QuestionType.MATURITY)


def private_token(secret: str, edition_id: str, code: str) -> str:
    """Unguessable, stable token of a respondent's private link."""
    return hmac.new(secret.encode(), f"{edition_id}:{code}".encode(), hashlib.sha256).hexdigest()[
        :32
    ]


# ------------------------------------------------------------------------------------ the tables


@dataclass
class Positioning:
    """Everything the reports show, for all respondents, as tables (see `build_positioning`)."""

    questionnaire: Questionnaire
    people: pl.DataFrame  # code, name, weight, kind_detail, size_class, group_<level>, n_<level>
    closed: pl.DataFrame  # code, question, level, group, peer_n, own (space-separated codes)
    shares: pl.DataFrame  # level, group, question, option, share
    numbers: pl.DataFrame  # code, question, value, level, group, peer_n, q1, median, q3, quarter
    scores: pl.DataFrame | None  # see `peer_scores.score_positions`
    peer_min: int


def build_positioning(
    questionnaire: Questionnaire,
    respondents: pl.DataFrame,
    answers: pl.DataFrame,
    maturity: dict[str, pl.DataFrame] | None = None,
    peer_min: int = PEER_MIN,
) -> Positioning:
    """The positioning tables of every respondent.

    `respondents`: `code`, `name`, `weight`, `kind_detail`, `size_class` (the analysed
    respondents and their calibrated weights); `answers`: one row per collectivité (`code` and a
    column per question, as in `responses.csv` after consolidation).
    """
    check_peer_min(peer_min)
    people = with_group_keys(
        respondents.select(
            pl.col("code").cast(pl.String),
            "name",
            pl.col("weight").cast(pl.Float64),
            pl.col("kind_detail").cast(pl.String),
            pl.col("size_class").cast(pl.String),
        )
    )
    sizes = {
        level: people.group_by(f"group_{level}").agg(pl.len().alias(f"n_{level}"))
        for level in LEVELS
    }
    for level in LEVELS:
        people = people.join(sizes[level], on=f"group_{level}", how="left")
    answers = answers.with_columns(pl.col("code").cast(pl.String)).join(
        people.select("code"), on="code", how="semi"
    )
    own = own_answers(answers, questionnaire)
    chosen = chosen_options(own, questionnaire)
    closed = choose_groups(own.rename({"question": "unit"}), people, peer_min).rename(
        {"unit": "question"}
    )
    closed = own.join(closed, on=["code", "question"], how="left")
    values = numeric_values(answers, questionnaire)
    numbers = values.join(
        choose_groups(values.rename({"question": "unit"}), people, peer_min).rename(
            {"unit": "question"}
        ),
        on=["code", "question"],
        how="left",
    )
    quartiles = weighted_quartiles(values, people)
    numbers = numbers.join(
        quartiles.drop("mean"), on=["level", "group", "question"], how="left"
    ).with_columns(
        quarter=quarter_of(pl.col("value"), pl.col("q1"), pl.col("median"), pl.col("q3"))
    )
    scores = None
    if maturity and "scores" in maturity:
        scores = score_positions(
            maturity["scores"],
            people,
            maturity.get("recommendations_themes", pl.DataFrame()),
            peer_min,
            maturity.get("levels_scale"),
        )
    return Positioning(
        questionnaire=questionnaire,
        people=people,
        closed=closed,
        shares=option_shares(chosen, people),
        numbers=numbers,
        scores=scores,
        peer_min=peer_min,
    )


# ---------------------------------------------------------------------------------- the reports


def _group_names(people: pl.DataFrame) -> pl.DataFrame:
    """`code`, `level`, `group_name` (escaped French name of the respondent's group per level)."""
    keys = people.select("kind_detail", "size_class").unique()
    rows = [
        (kind, size, level, str(escape(group_label(level, kind, size))))
        for kind, size in keys.iter_rows()
        for level in LEVELS
    ]
    names = pl.DataFrame(
        rows, schema=["kind_detail", "size_class", "level", "group_name"], orient="row"
    )
    return (
        people.select("code", "kind_detail", "size_class")
        .join(names, on=["kind_detail", "size_class"], how="left", nulls_equal=True)
        .select("code", "level", "group_name")
    )


def _closed_blocks(
    positioning: Positioning, names: pl.DataFrame
) -> tuple[list[tuple[str, str]], pl.DataFrame]:
    """Every distinct closed-question block, rendered once; `code`, `question`, `block` ids.

    A block is (table key, HTML): maturity items are rows of one table per scale (key
    `matrix_key`), other questions stand alone (key "").
    """
    questions = {q.id: q for q in positioning.questionnaire.questions}
    shares: dict[tuple, dict[str, float]] = {}
    for level, group, question, option, share in positioning.shares.iter_rows():
        shares.setdefault((level, group, question), {})[option] = share
    keyed = positioning.closed.join(names, on=["code", "level"], how="left", nulls_equal=True)
    columns = ["question", "level", "group", "peer_n", "own", "group_name"]
    combos = keyed.select(columns).unique(maintain_order=True).with_row_index("block")
    blocks = []
    for _, question, level, group, n, own, name in combos.iter_rows():
        q = questions[question]
        peer_shares = None if level is None else shares.get((level, group, question), {})
        key = matrix_key(q)
        if key:
            html = maturity_row(q, peer_shares, n, own, name or "", level != "kind_size")
        else:
            html = closed_block(q, peer_shares, n, own, name or "")
        blocks.append((key, html))
    ids = keyed.join(combos, on=columns, how="left", nulls_equal=True)
    return blocks, ids.select("code", "question", "level", pl.col("block").cast(pl.Int64))


def _theme_stats(positioning: Positioning, theme_of: pl.DataFrame) -> pl.DataFrame:
    """Per (`code`, `theme`): questions answered, with the peers' top answer, minority, compared."""
    closed = positioning.closed.join(theme_of, on="question")
    single = closed.filter(pl.col("single") & pl.col("level").is_not_null())
    peers = positioning.shares.join(theme_of.filter("single").select("question"), on="question")
    top = peers.group_by("level", "group", "question").agg(pl.col("share").max().alias("top"))
    single = (
        single.join(
            peers.rename({"option": "own"}), on=["level", "group", "question", "own"], how="left"
        )
        .join(top, on=["level", "group", "question"], how="left")
        .with_columns(pl.col("share").fill_null(0.0))
    )
    compared = single.group_by("code", "theme").agg(
        single=pl.len(),
        majority=(pl.col("share") >= pl.col("top") - 1e-12).sum(),
        minority=((pl.col("share") < MINORITY) & (pl.col("share") < pl.col("top") - 1e-12)).sum(),
    )
    answered = pl.concat(
        [closed.select("code", "question"), positioning.numbers.select("code", "question")]
    ).join(theme_of, on="question")
    counts = answered.group_by("code", "theme").agg(answered=pl.len())
    return counts.join(compared, on=["code", "theme"], how="left").with_columns(
        pl.col("single", "majority", "minority").fill_null(0).cast(pl.Int64)
    )


def _theme_rows(
    positioning: Positioning, names: pl.DataFrame
) -> tuple[list[tuple[str, str]], pl.DataFrame]:
    """HTML blocks, and one row per (`code`, `theme`) in report order with what its section needs.

    Columns: `code`, `theme_index`, `blocks` (ids in question order), `levels` (peer levels
    used, `none` when nothing was shown), `answered`, `majority`, `minority`, `single`,
    `score_html`.
    """
    questionnaire = positioning.questionnaire
    questions = questionnaire.questions
    theme_index = {t.id: i for i, t in enumerate(questionnaire.themes)}
    theme_of = pl.DataFrame(
        {
            "question": [q.id for q in questions],
            "theme": [q.theme for q in questions],
            "order": list(range(len(questions))),
            "single": [q.type in SINGLE_VALUED for q in questions],
        }
    )
    blocks, closed = _closed_blocks(positioning, names)
    numeric = numeric_html(
        positioning.numbers, {q.id: q for q in questions if q.type.is_numeric}, names
    ).join(positioning.numbers.select("code", "question", "level"), on=["code", "question"])
    numeric = numeric.with_columns(block=pl.int_range(pl.len(), dtype=pl.Int64) + len(blocks))
    blocks.extend(("", html) for html in numeric["html"].to_list())
    pieces = pl.concat([closed, numeric.select("code", "question", "level", "block")])
    per_theme = (
        pieces.join(theme_of, on="question")
        .sort("code", "order")
        .group_by("code", "theme", maintain_order=True)
        .agg(
            blocks=pl.col("block"),
            levels=pl.col("level").fill_null("none").unique(maintain_order=True),
        )
    )
    people_themes = positioning.people.select("code").join(
        pl.DataFrame({"theme": list(theme_index)}), how="cross"
    )
    table = people_themes.join(per_theme, on=["code", "theme"], how="left").join(
        _theme_stats(positioning, theme_of), on=["code", "theme"], how="left"
    )
    if positioning.scores is not None:
        scores = score_html(positioning.scores, names)
        levels = positioning.scores.select(
            "code",
            "theme",
            pl.when(pl.col("score").is_not_null())
            .then(pl.col("peer_level").fill_null("none"))
            .alias("score_level"),
        )
        table = table.join(scores, on=["code", "theme"], how="left").join(
            levels, on=["code", "theme"], how="left"
        )
    else:
        table = table.with_columns(
            score_html=pl.lit(None, dtype=pl.String), score_level=pl.lit(None, dtype=pl.String)
        )
    table = table.with_columns(
        theme_index=pl.col("theme").replace_strict(theme_index, return_dtype=pl.Int64),
        blocks=pl.col("blocks").fill_null(pl.lit([], dtype=pl.List(pl.Int64))),
        levels=pl.concat_list(
            pl.col("levels").fill_null(pl.lit([], dtype=pl.List(pl.String))),
            pl.col("score_level").cast(pl.String),
        )
        .list.drop_nulls()
        .list.unique(maintain_order=True),
        **{c: pl.col(c).fill_null(0) for c in ("answered", "majority", "minority", "single")},
    )
    return blocks, table.sort("code", "theme_index").select(
        "code",
        "theme_index",
        "blocks",
        "levels",
        "answered",
        "majority",
        "minority",
        "single",
        "score_html",
    )


def _overall(positioning: Positioning, names: pl.DataFrame) -> dict[str, tuple[str, str | None]]:
    """Code → (HTML of the overall index section, peer level used) for maturity questionnaires."""
    if positioning.scores is None:
        return {}
    rows = positioning.scores.filter(pl.col("theme") == OVERALL)
    if rows.height == 0:
        return {}
    html = score_html(rows, names)
    rows = rows.join(html, on=["code", "theme"]).with_columns(
        level_text=pl.col("level").map_elements(lambda v: str(escape(v)), return_dtype=pl.String)
    )
    head = (
        '<section class="box overall" aria-labelledby="indice"><h2 id="indice">Votre indice '
        "global de maturité</h2>"
    )
    level = (
        pl.when(pl.col("level_text").is_not_null())
        .then(
            pl.concat_str(
                pl.lit("<p>Niveau «\u00a0<strong>"),
                pl.col("level_text"),
                pl.lit("</strong>\u00a0»</p>"),
            )
        )
        .otherwise(pl.lit(""))
    )
    section = (
        pl.when(pl.col("score").is_null())
        .then(pl.lit(head + _overall_missing() + "</section>"))
        .otherwise(
            pl.concat_str(
                pl.lit(head + '<p class="value">'),
                fr_int(pl.col("score")),
                pl.lit("<small> / 100</small></p>"),
                level,
                pl.col("score_html").str.replace(
                    r"^<p><strong>Indice global : [^<]*</strong>[^<]*</p>", ""
                ),
                pl.when(pl.col("peer_level").is_not_null())
                .then(pl.lit(LEGEND))
                .otherwise(pl.lit("")),
                pl.lit("</section>"),
            )
        )
    )
    out = rows.select("code", section.alias("html"), "peer_level")
    return {code: (html, level) for code, html, level in out.iter_rows()}


def _body(blocks: list[tuple[str, str]], ids: list[int], heads: dict[str, str]) -> str:
    """A theme's question blocks in order; consecutive maturity items in one table per scale."""
    parts = []
    current = ""
    for i in ids:
        key, html = blocks[i]
        if key != current:
            if current:
                parts.append(MATRIX_END)
            if key:
                parts.append(heads[key])
            current = key
        parts.append(html)
    if current:
        parts.append(MATRIX_END)
    return "".join(parts)


def _overall_missing() -> str:
    """The overall index could not be computed."""
    return '<p class="note">Indice global non calculé : trop peu de réponses.</p>'


def _wave_labels(questionnaire: Questionnaire) -> dict[str, str]:
    """Theme id → label of its wave (empty when the questionnaire has a single wave)."""
    if len(questionnaire.waves) < 2:
        return {}
    waves = {w.id: w.label for w in questionnaire.waves}
    return {t.id: waves.get(t.wave or "", "") for t in questionnaire.themes if t.wave}


def write_positioning_reports(
    positioning: Positioning,
    out_dir: str | Path,
    theme: Theme,
    edition: dict,
    secret: str,
    theme_labels: dict[str, str] | None = None,
) -> Path:
    """One private HTML report per respondent (named by its token), the stylesheet they share,
    and the operator's links file `liens.csv` (code → token).

    Written into a fresh sibling folder then put in place in one step: the reports of a previous
    run are replaced whole, never half; the other files of the folder (`secret.txt`) are kept. A
    folder that is not a positioning folder is never replaced.
    """
    target = Path(out_dir).resolve()
    kept = check_positioning_folder(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    out = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for path in kept:
            shutil.copy2(path, out / path.name)
        _write_reports(positioning, out, theme, edition, secret, theme_labels)
        _put_in_place(out, target)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    return target


def check_positioning_folder(target: Path) -> list[Path]:
    """Files to keep from an existing positioning folder; French error for any other folder."""
    if not target.exists():
        return []
    if not target.is_dir():
        raise ValueError(f"{target} existe et n'est pas un dossier : rapports non écrits.")
    entries = list(target.iterdir())
    if (
        entries
        and not (target / LINKS_FILE).exists()
        and {e.name for e in entries} != {"secret.txt"}
    ):
        raise ValueError(
            f"{target} n'est pas un dossier de rapports de positionnement (pas de {LINKS_FILE}) : "
            "il n'est pas remplacé. Choisissez un dossier vide ou absent."
        )
    return [e for e in entries if e.is_file() and e.name == "secret.txt"]


def _put_in_place(staging: Path, target: Path) -> None:
    """Replace `target` by `staging` (renames; the old folder is removed afterwards)."""
    staging.chmod(0o700)
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.ancien-{staging.name.rsplit('.', 1)[-1]}")
        target.rename(old)
    staging.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _write_reports(
    positioning: Positioning,
    out: Path,
    theme: Theme,
    edition: dict,
    secret: str,
    theme_labels: dict[str, str] | None,
) -> None:
    """Write the stylesheet, every report and the links file into `out`."""
    (out / STYLESHEET).write_text(stylesheet(theme), encoding="utf-8")
    static, slots = skeleton()
    edition_id = str(edition.get("id", ""))
    edition_title = str(escape(str(edition.get("title", ""))))
    questionnaire = positioning.questionnaire
    labels = {t.id: t.label for t in questionnaire.themes} | (theme_labels or {})
    waves = _wave_labels(questionnaire)
    heads = []
    toc_items = []
    asked = []
    for index, t in enumerate(questionnaire.themes, start=1):
        label = str(escape(labels.get(t.id, t.label)))
        wave = f'<p class="wave">{escape(waves[t.id])}</p>' if waves.get(t.id) else ""
        heads.append(
            f'<section class="theme" id="theme-{index}" aria-labelledby="t{index}">{wave}'
            f'<h2 id="t{index}">{label}</h2>'
        )
        toc_items.append(f'<li><a href="#theme-{index}">{label}</a></li>')
        asked.append(sum(1 for q in t.questions if q.type.is_choice or q.type.is_numeric))
    toc = "".join(toc_items)
    theme_names = [labels.get(t.id, t.label) for t in questionnaire.themes]
    names = _group_names(positioning.people)
    blocks, rows = _theme_rows(positioning, names)
    matrix_heads = {matrix_key(q): matrix_head(q) for q in questionnaire.questions if matrix_key(q)}
    overall = _overall(positioning, names)
    footer = (
        f"{edition_title} — rapport produit par barometre pour votre seule collectivité. Parts "
        "et quartiles pondérés (calage sur le registre officiel) ; groupes d'au moins "
        f"{MIN_GROUP_SIZE} répondants."
    )
    legend_in_intro = LEGEND if positioning.scores is not None and not overall else ""
    people = {
        r[0]: r[1:]
        for r in positioning.people.select(
            "code", "name", "kind_detail", "size_class", "n_kind_size"
        ).iter_rows()
    }
    tokens = []
    for code, section_rows in groupby(rows.iter_rows(), key=itemgetter(0)):
        name, kind_detail, size_class, own_n = people[code]
        token = private_token(secret, edition_id, code)
        tokens.append((code, token))
        group_names = level_names(kind_detail, size_class)
        used: Counter = Counter()
        widened: dict[str, list[str]] = {}
        sections = []
        for (
            _,
            index,
            ids,
            levels,
            answered,
            majority,
            minority,
            single,
            score,
        ) in section_rows:
            for level in levels:
                used[level] += 1
                if level != "kind_size":
                    widened.setdefault(level, []).append(theme_names[index])
            body = _body(blocks, ids, matrix_heads)
            if score is not None and body:
                body = (
                    '<details class="answers"><summary>Vos réponses, question par question, '
                    f"face à celles de vos pairs</summary>{body}</details>"
                )
            sections.append(
                heads[index]
                + theme_summary(asked[index], answered, majority, minority, single)
                + (score or "")
                + body
                + "</section>"
            )
        overall_html, overall_level = overall.get(code, ("", None))
        if overall_level:
            used[overall_level] += 1
        main = used.most_common(1)[0][0] if used else None
        if main and main != "kind_size":
            widened.pop(main, None)
        kind = KIND_LABELS.get(kind_detail, kind_detail or "collectivité")
        identity = f"{edition_title}. Votre collectivité : {escape(kind.lower())}"
        if size_class:
            identity += f", {escape(size_class)}"
        values = {
            "name": str(escape(name or code)),
            "edition_title": edition_title,
            "identity": identity if identity.endswith(".") else identity + ".",
            "overall": overall_html,
            "intro": intro(group_names, own_n, main, widened, positioning.peer_min)
            + legend_in_intro,
            "toc": toc,
            "themes": "".join(sections),
            "footer": footer,
        }
        (out / f"{token}.html").write_text(assemble(static, slots, values), encoding="utf-8")
    neutralise_frame(
        pl.DataFrame(tokens, schema=["code", "token"], orient="row").with_columns(
            fichier=pl.col("token") + ".html"
        )
    ).write_csv(out / LINKS_FILE)
    write_edition_record(out, edition_record(edition, questionnaire.id, questionnaire.edition))


def positioning_pdf(html_path: str | Path, pdf_path: str | Path | None = None) -> Path:
    """PDF (A4, WeasyPrint) of one positioning report, on demand."""
    import weasyprint

    source = Path(html_path)
    target = Path(pdf_path) if pdf_path else source.with_suffix(".pdf")
    weasyprint.HTML(filename=str(source)).write_pdf(target)
    return target
