"""Demo simulator: a realistic, biased demo edition built on the real register.

The steps, each a function below:
1. `simulate_opsn` — OPSN membership for every register entity: an OPSN exists in some départements,
   and most collectivités of those départements are members (DINUM warns that its respondents are
   mostly in OPSN territories);
2. `template_frame` + `draw_sample` — the entities a template is aimed at, and a sample drawn with an
   inclusion propensity rising with log population and OPSN membership (Efraimidis–Spirakis weighted
   sampling without replacement), so large collectivités and OPSN members are over-represented;
3. `latent_maturity` — a latent maturity per respondent (larger and OPSN members more mature) and one
   score per theme (shared factor plus theme-specific noise);
4. `simulate_answers` — answers question after question, vectorised over respondents: a question not
   relevant (skip logic compiled to Polars) stays empty; closed answers are cut from the latent score at
   quantiles so that raw shares land on the seed's published values (`*.figures.yaml`); `nsp` answers,
   numbers within constraints, a few comments;
5. `add_resubmissions` — partial submissions, a partial then a complete, two completes at different
   times, timestamps, roles and response ids.

Conventions: maturity levels are ordered low → high; for yes/no `oui` is the mature answer; the choices
of a single-choice question are listed from the most to the least advanced. Multiple-choice figures
that combine several options ("at least one of") are not targeted, only single-option shares.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import polars as pl

from barometre.edition.consolidation import STATUS_COMPLETE, STATUS_PARTIAL
from barometre.edition.figures import DemoFrame, Figure
from barometre.edition.files import TIMESTAMP_FORMAT, response_columns
from barometre.questionnaire.expressions import to_polars_condition
from barometre.questionnaire.model import NSP_CODE, Question, Questionnaire, QuestionType
from barometre.questionnaire.skip_logic import scope_for

OPSN_DEPARTEMENT_SHARE = 0.6
OPSN_MEMBERSHIP = {"commune": 0.8, "epci": 0.85, "departement": 0.9, "region": 0.5, "com": 0.5}
EXCLUSIVE_CODES = frozenset({"aucun", "aucune", "non"})
AGE_STREAM = 1  # the median age is drawn from its own stream: the other draws stay as they were
DEFAULT_NSP_SHARE = 0.05
DEFAULT_OPTION_SHARE = 0.35
PARTIAL_ONLY_SHARE = 0.03
PARTIAL_THEN_COMPLETE_SHARE = 0.06
TWO_COMPLETES_SHARE = 0.02
LOADINGS = {
    QuestionType.MATURITY: 0.8,
    QuestionType.YES_NO: 0.6,
    QuestionType.SINGLE_CHOICE: 0.4,
    QuestionType.MULTIPLE_CHOICE: 0.5,
}
ROLES = {
    "commune": ["maire", "secretaire_mairie", "dgs", "elu_numerique"],
    "epci": ["dgs", "dsi", "charge_mission_numerique"],
    "departement": ["dsi", "dgs", "directeur_numerique"],
    "region": ["dsi", "directeur_numerique"],
    "com": ["dsi", "dgs", "directeur_numerique"],
}
COMMENTS = [
    "Nous manquons de moyens humains pour mener les projets numériques.",
    "L'accompagnement de notre OPSN nous a beaucoup aidés.",
    "La couverture en très haut débit reste insuffisante sur une partie du territoire.",
    "Un projet de mutualisation avec l'intercommunalité est en cours.",
    "Les élus souhaitent davantage de formation.",
]


@dataclass(frozen=True)
class SimulatedEdition:
    """The simulated submissions (text columns, as in `responses.csv`) and the frame attributes
    (`opsn`, `age_median`) of every register entity."""

    responses: pl.DataFrame
    frame_attributes: pl.DataFrame
    sample: pl.DataFrame


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function."""
    return 1.0 / (1.0 + np.exp(-x))


def _standardise(x: np.ndarray) -> np.ndarray:
    """Centre and scale to unit variance (constant input → zeros)."""
    spread = x.std()
    return (x - x.mean()) / spread if spread > 0 else np.zeros_like(x)


# ------------------------------------------------------------------------------- 1. OPSN, frame


def simulate_opsn(entities: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """`code`, `opsn` (0/1) for every entity: OPSN present in some départements, most members there."""
    departements = np.sort(entities.get_column("departement").drop_nulls().unique().to_numpy())
    present = rng.random(departements.size) < OPSN_DEPARTEMENT_SHARE
    by_departement = pl.DataFrame({"departement": departements, "__present": present})
    region_present = rng.random(entities.height) < 0.5
    joined = entities.select("code", "kind", "departement").join(
        by_departement, on="departement", how="left", maintain_order="left"
    )
    has_opsn = joined.get_column("__present").fill_null(False).to_numpy() | (
        joined.get_column("departement").is_null().to_numpy() & region_present
    )
    membership = joined.get_column("kind").replace_strict(
        OPSN_MEMBERSHIP, default=0.5, return_dtype=pl.Float64
    )
    member = has_opsn & (rng.random(entities.height) < membership.to_numpy())
    return pl.DataFrame({"code": joined.get_column("code"), "opsn": member.astype(np.int8)})


def simulate_age_median(entities: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """`code`, `age_median` (years) for every entity: older in small collectivités, plus noise.

    A simulated attribute of the demo's frame (as `opsn`), drawn independently of everything else:
    the demo can ask the Villes Internet × Deloitte question « does the inhabitants' age matter? ».
    """
    log_population = np.log10(np.maximum(entities.get_column("population").to_numpy(), 1))
    age = 46.0 - 2.2 * (log_population - 3.0) + rng.normal(0.0, 4.0, entities.height)
    return pl.DataFrame(
        {"code": entities.get_column("code"), "age_median": np.round(np.clip(age, 28, 62), 1)}
    )


def template_frame(entities: pl.DataFrame, demo: DemoFrame) -> pl.DataFrame:
    """The register entities a template is aimed at (kinds, EPCI natures, population, code prefixes)."""
    condition = pl.col("kind").is_in(list(demo.kinds))
    if demo.epci_natures:
        condition &= (pl.col("kind") != "epci") | pl.col("epci_nature").is_in(
            list(demo.epci_natures)
        )
    if demo.min_population is not None:
        condition &= pl.col("population") >= demo.min_population
    if demo.max_population is not None:
        condition &= pl.col("population") <= demo.max_population
    if demo.code_prefixes:
        prefixes = [pl.col("code").str.starts_with(prefix) for prefix in demo.code_prefixes]
        condition &= pl.any_horizontal(prefixes)
    return entities.filter(condition)


# --------------------------------------------------------------------------------- 2. sample


def inclusion_propensity(frame: pl.DataFrame) -> np.ndarray:
    """Probability-like weight of answering: rises with log population and OPSN membership."""
    log_population = np.log1p(frame.get_column("population").to_numpy().astype(float))
    kind_bonus = (
        frame.get_column("kind")
        .replace_strict({"epci": 0.6, "departement": 1.5, "region": 1.5}, default=0.0)
        .to_numpy()
    )
    opsn = frame.get_column("opsn").to_numpy()
    return _sigmoid(-2.2 + 0.9 * _standardise(log_population) + 1.3 * opsn + kind_bonus)


def draw_sample(frame: pl.DataFrame, size: int, rng: np.random.Generator) -> pl.DataFrame:
    """A weighted sample without replacement (Efraimidis–Spirakis keys), at most the whole frame."""
    weights = inclusion_propensity(frame)
    keys = np.log(rng.random(frame.height)) / weights
    chosen = np.sort(np.argsort(-keys, kind="stable")[: min(size, frame.height)])
    return frame[chosen]


# ---------------------------------------------------------------------------- 3. latent scores


def latent_maturity(
    sample: pl.DataFrame,
    themes: list[str],
    rng: np.random.Generator,
    persistent: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """One standardised maturity score per theme: shared factor (size, OPSN, noise) + theme noise.

    `persistent` (one standard normal value per respondent) is the part of the noise a collectivité
    keeps from one edition to the next (several editions: the panel's answers are correlated).
    """
    log_population = np.log1p(sample.get_column("population").to_numpy().astype(float))
    opsn = sample.get_column("opsn").to_numpy()
    noise = rng.normal(size=sample.height)
    if persistent is not None:
        noise = 0.8 * np.asarray(persistent, dtype=float) + 0.6 * noise
    shared = _standardise(0.45 * _standardise(log_population) + 0.3 * opsn + 0.8 * noise)
    return {
        theme: _standardise(0.75 * shared + 0.66 * rng.normal(size=sample.height))
        for theme in themes
    }


# ---------------------------------------------------------------------------------- 4. answers


def _ordered_codes(question: Question) -> list[str]:
    """Answer codes from the least to the most advanced (see the module conventions)."""
    if question.type is QuestionType.YES_NO:
        return ["non", "oui"]
    codes = [option.code for option in question.options]
    return codes if question.type is QuestionType.MATURITY else codes[::-1]


def _default_shares(question: Question, codes: list[str]) -> np.ndarray:
    """Prior shares of the codes (least → most advanced) before the published figures are imposed."""
    k = len(codes)
    if question.type is QuestionType.MATURITY:
        prior = np.exp(-0.5 * ((np.arange(k) - (k - 1) / 2) / (k / 3.0)) ** 2)
    else:
        prior = np.ones(k)
    return prior / prior.sum()


def target_shares(question: Question, figures: list[Figure]) -> tuple[list[str], np.ndarray]:
    """Codes (least → most advanced, then `nsp`) and target shares among respondents asked.

    Published shares are imposed by iterative proportional fitting over the figures' code sets.
    """
    codes = _ordered_codes(question)
    shares = _default_shares(question, codes) * (1 - DEFAULT_NSP_SHARE * question.allow_nsp)
    if question.allow_nsp:
        codes = [*codes, NSP_CODE]
        shares = np.append(shares, DEFAULT_NSP_SHARE)
    constraints = [
        (np.isin(codes, figure.options), figure.target)
        for figure in figures
        if figure.target is not None
    ]
    for _ in range(200):
        for inside, value in constraints:
            for mask, wanted in ((inside, value), (~inside, 1.0 - value)):
                total = shares[mask].sum()
                if total > 0:
                    shares[mask] *= wanted / total
                elif wanted > 0 and mask.any():
                    shares[mask] = wanted / mask.sum()
    return codes, shares / shares.sum()


def _cut_by_rank(score: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Index of the category of each score: the lowest scores get the first category, etc."""
    ranks = np.empty(score.size)
    ranks[np.argsort(score, kind="stable")] = (np.arange(score.size) + 0.5) / score.size
    return np.searchsorted(np.cumsum(shares)[:-1], ranks, side="right")


def _simulate_single(
    question: Question, figures: list[Figure], latent: np.ndarray, asked: np.ndarray, rng
) -> np.ndarray:
    """Single-choice, yes/no and maturity answers (object array, None where not asked)."""
    codes, shares = target_shares(question, figures)
    answers = np.full(latent.size, None, dtype=object)
    if not asked.any():
        return answers
    nsp = np.zeros(latent.size, dtype=bool)
    if question.allow_nsp:
        nsp_share = shares[-1]
        nsp = asked & (rng.random(latent.size) < nsp_share * 2 * _sigmoid(-0.8 * latent))
        answers[nsp] = NSP_CODE
        codes, shares = codes[:-1], shares[:-1] / max(shares[:-1].sum(), 1e-12)
    rest = asked & ~nsp
    loading = LOADINGS[question.type]
    score = loading * latent + np.sqrt(1 - loading**2) * rng.normal(size=latent.size)
    if rest.any():
        answers[rest] = np.asarray(codes, dtype=object)[_cut_by_rank(score[rest], shares)]
    return answers


def _selection(
    margin: np.ndarray, exclusive: np.ndarray, asked: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Options above their threshold; an exclusive option (or the best one) when none is."""
    selected = (margin > 0) & ~exclusive & asked[:, None]
    nothing = asked & ~selected.any(axis=1)
    if exclusive.any():
        selected[:, np.flatnonzero(exclusive)[0]] |= nothing
    else:
        best = np.argmax(margin, axis=1)
        selected[nothing, best[nothing]] = True
    return selected, margin


def _simulate_multiple(
    question: Question, figures: list[Figure], latent: np.ndarray, asked: np.ndarray, rng
) -> np.ndarray:
    """Multiple-choice answers as space-separated codes (None where not asked)."""
    codes = [option.code for option in question.options]
    exclusive = np.isin(codes, list(EXCLUSIVE_CODES))
    targets = {
        figure.options[0]: figure.target
        for figure in figures
        if len(figure.options) == 1 and figure.target is not None
    }
    shares = np.array([targets.get(code, DEFAULT_OPTION_SHARE) for code in codes])
    loading = LOADINGS[QuestionType.MULTIPLE_CHOICE]
    noise = rng.normal(size=(latent.size, len(codes)))
    score = loading * latent[:, None] + np.sqrt(1 - loading**2) * noise
    asked_scores = score[asked] if asked.any() else score
    wanted = shares.copy()
    for _ in range(4):  # rows left with no choice get their best option: aim lower to compensate
        thresholds = np.array(
            [np.quantile(asked_scores[:, k], 1 - shares[k]) for k in range(len(codes))]
        )
        selected, margin = _selection(score - thresholds, exclusive, asked)
        realised = selected[asked].mean(axis=0) if asked.any() else wanted
        shares = np.clip(
            shares * np.divide(wanted, realised, where=realised > 0, out=np.ones_like(wanted)), 0, 1
        )
    if question.max_choices is not None:
        order = np.argsort(-np.where(selected, margin, -np.inf), axis=1, kind="stable")
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, np.arange(len(codes))[None, :], axis=1)
        selected &= rank < question.max_choices
    columns = pl.DataFrame(selected, schema=codes, orient="row")
    joined = columns.select(
        pl.concat_str(
            [pl.when(pl.col(code)).then(pl.lit(code)) for code in codes],
            separator=" ",
            ignore_nulls=True,
        )
    ).to_series()
    answers = joined.to_numpy().astype(object)
    answers[~asked] = None
    return answers


def _bounds(question: Question) -> tuple[float, float]:
    """Lower and upper bounds read from a `. >= a and . <= b` constraint (defaults otherwise)."""
    high = 100.0 if question.type is QuestionType.PERCENTAGE else np.inf
    low, text = 0.0, question.constraint or ""
    if match := re.search(r"\.\s*>=?\s*(-?[\d.]+)", text):
        low = float(match.group(1))
    if match := re.search(r"\.\s*<=?\s*(-?[\d.]+)", text):
        high = float(match.group(1))
    return low, high


def _simulate_number(
    question: Question, latent: np.ndarray, population: np.ndarray, asked: np.ndarray, rng
) -> np.ndarray:
    """Numbers growing with population and maturity, percentages from maturity; within bounds."""
    noise = rng.normal(size=latent.size)
    if question.type is QuestionType.PERCENTAGE:
        values = 100 * _sigmoid(0.9 * latent + 0.6 * noise - 0.2)
    else:
        values = np.exp(-3.5 + 0.6 * np.log1p(population) + 0.4 * latent + 0.4 * noise)
    low, high = _bounds(question)
    values = np.clip(np.round(values), np.ceil(low), np.floor(high)).astype(np.int64)
    answers = values.astype(str).astype(object)
    blank = ~asked | ((not question.required) & (rng.random(latent.size) < 0.1))
    answers[blank] = None
    return answers


def _simulate_text(question: Question, asked: np.ndarray, rng) -> np.ndarray:
    """A few canned comments, most left empty."""
    picks = np.asarray(COMMENTS, dtype=object)[rng.integers(len(COMMENTS), size=asked.size)]
    filled = asked & (rng.random(asked.size) < 0.08)
    return np.where(filled, picks, None)


def simulate_answers(
    questionnaire: Questionnaire,
    figures: list[Figure],
    sample: pl.DataFrame,
    rng: np.random.Generator,
    persistent: np.ndarray | None = None,
) -> pl.DataFrame:
    """One complete submission per sampled entity: one text column per question, skip logic kept."""
    latent = latent_maturity(sample, [theme.id for theme in questionnaire.themes], rng, persistent)
    population = sample.get_column("population").to_numpy().astype(float)
    by_question: dict[str, list[Figure]] = {}
    for figure in figures:
        by_question.setdefault(figure.question, []).append(figure)
    scope = scope_for(questionnaire)
    answers = pl.DataFrame({"code": sample.get_column("code")})
    for theme in questionnaire.themes:
        theme_asked = (
            np.ones(sample.height, dtype=bool)
            if theme.relevant is None
            else answers.select(to_polars_condition(theme.relevant, scope)).to_series().to_numpy()
        )
        for question in theme.questions:
            asked = theme_asked.copy()
            if question.relevant is not None:
                condition = to_polars_condition(question.relevant, scope)
                asked &= answers.select(condition).to_series().to_numpy()
            own = by_question.get(question.id, [])
            if question.type is QuestionType.MULTIPLE_CHOICE:
                values = _simulate_multiple(question, own, latent[theme.id], asked, rng)
            elif question.type.is_choice:
                values = _simulate_single(question, own, latent[theme.id], asked, rng)
            elif question.type.is_numeric:
                values = _simulate_number(question, latent[theme.id], population, asked, rng)
            else:
                values = _simulate_text(question, asked, rng)
            answers = answers.with_columns(pl.Series(question.id, values.tolist(), dtype=pl.String))
    return answers


# ---------------------------------------------------------------------- 5. submissions, times


def add_resubmissions(
    questionnaire: Questionnaire,
    sample: pl.DataFrame,
    answers: pl.DataFrame,
    year: int,
    rng: np.random.Generator,
) -> pl.DataFrame:
    """Submission rows: partial-only, partial then complete, two completes; times, roles, ids."""
    n = sample.height
    draw = rng.random(n)
    partial_only = draw < PARTIAL_ONLY_SHARE
    partial_first = (draw >= PARTIAL_ONLY_SHARE) & (
        draw < PARTIAL_ONLY_SHARE + PARTIAL_THEN_COMPLETE_SHARE
    )
    complete_first = (draw >= PARTIAL_ONLY_SHARE + PARTIAL_THEN_COMPLETE_SHARE) & (
        draw < PARTIAL_ONLY_SHARE + PARTIAL_THEN_COMPLETE_SHARE + TWO_COMPLETES_SHARE
    )
    start = datetime(year, 3, 1, tzinfo=UTC).timestamp()
    final_time = start + rng.random(n) * 120 * 86400
    earlier_time = final_time - (1 + rng.random(n) * 20) * 86400
    themes = questionnaire.themes
    cut = rng.integers(1, max(len(themes), 2), size=n)
    kinds = sample.get_column("kind").to_numpy()
    role_draw = rng.random(n)
    roles = np.empty(n, dtype=object)
    for kind, options in ROLES.items():
        mine = kinds == kind
        roles[mine] = np.asarray(options, dtype=object)[
            (role_draw[mine] * len(options)).astype(int)
        ]
    donors = (np.arange(n) + rng.integers(1, max(n, 2), size=n)) % max(n, 1)

    def blank_from_cut(frame: pl.DataFrame, cuts: np.ndarray) -> pl.DataFrame:
        """Blank the themes at and after each row's cut (an unfinished questionnaire)."""
        cut_column = pl.Series("__cut", cuts)
        frame = frame.with_columns(cut_column)
        return frame.with_columns(
            pl.when(pl.col("__cut") > index).then(pl.col(q.id)).otherwise(None).alias(q.id)
            for index, theme in enumerate(themes)
            for q in theme.questions
        ).drop("__cut")

    base = answers.with_columns(
        pl.Series("__time", final_time),
        pl.Series("respondent_role", roles.tolist(), dtype=pl.String),
    )
    final = blank_from_cut(base, np.where(partial_only, cut, len(themes) + 1)).with_columns(
        pl.Series("status", np.where(partial_only, STATUS_PARTIAL, STATUS_COMPLETE))
    )
    partials = blank_from_cut(base.filter(pl.Series(partial_first)), cut[partial_first])
    partials = partials.with_columns(
        pl.Series("__time", earlier_time[partial_first]), pl.lit(STATUS_PARTIAL).alias("status")
    )
    donor_rows = answers[donors[complete_first]].with_columns(
        sample.get_column("code").filter(pl.Series(complete_first)),
        pl.Series("__time", earlier_time[complete_first]),
        pl.Series("respondent_role", roles[complete_first].tolist(), dtype=pl.String),
        pl.lit(STATUS_COMPLETE).alias("status"),
    )
    rows = pl.concat([final, partials, donor_rows.select(final.columns)], how="vertical")
    rows = rows.sort(["__time", "code"]).with_columns(
        pl.from_epoch(pl.col("__time").round(0).cast(pl.Int64), time_unit="s")
        .dt.strftime(TIMESTAMP_FORMAT)
        .alias("submitted_at"),
        pl.format("R{}", (pl.int_range(pl.len()) + 1).cast(pl.String).str.zfill(6)).alias(
            "response_id"
        ),
    )
    return rows.select(response_columns(questionnaire))


def simulate_edition(
    questionnaire: Questionnaire,
    figures: list[Figure],
    entities: pl.DataFrame,
    demo: DemoFrame,
    *,
    size: int,
    seed: int,
) -> SimulatedEdition:
    """The whole simulation: OPSN, biased sample, answers, resubmissions (deterministic per seed)."""
    rng = np.random.default_rng(seed)
    opsn = simulate_opsn(entities, rng)
    own = entities.drop("opsn", strict=False).join(opsn, on="code", maintain_order="left")
    frame = template_frame(own, demo)
    sample = draw_sample(frame, size, rng)
    answers = simulate_answers(questionnaire, figures, sample, rng)
    year = int(re.sub(r"\D", "", questionnaire.edition)[:4] or datetime.now().year)
    responses = add_resubmissions(questionnaire, sample, answers, year, rng)
    ages = simulate_age_median(entities, np.random.default_rng([seed, AGE_STREAM]))
    return SimulatedEdition(responses, opsn.join(ages, on="code", maintain_order="left"), sample)


def demo_metadata(
    questionnaire: Questionnaire,
    template: str,
    register_source: dict,
    *,
    seed: int,
    requested_size: int,
    respondents: int,
) -> dict:
    """The `edition.yaml` mapping of a demo edition (no clock time in it: files stay reproducible)."""
    year = int(re.sub(r"\D", "", questionnaire.edition)[:4] or 0)
    return {
        "id": f"demo-{questionnaire.id}-{questionnaire.edition}",
        "title": f"{questionnaire.title} — édition de démonstration",
        "year": year,
        "template": template,
        "questionnaire": {"id": questionnaire.id, "version": questionnaire.version},
        "register": {
            "source": register_source.get("package"),
            "version": register_source.get("version"),
            "vintage": register_source.get("cog_vintage"),
        },
        "seed": seed,
        "demo": {
            "simulated": True,
            "requested_size": requested_size,
            "respondents": respondents,
            "frame_attribute": "opsn (appartenance simulée à un OPSN)",
        },
        "calibration": {
            "method": "raking",
            "margins": ["kind_detail*size_class", "region_group"],
            "tolerance": 1e-10,
        },
    }
