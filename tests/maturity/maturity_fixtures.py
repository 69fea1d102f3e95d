"""Questionnaires and simulated answers built in code for the maturity tests."""

from __future__ import annotations

import numpy as np
import polars as pl

from barometre.questionnaire.model import Level, Question, Questionnaire, QuestionType, Theme

EY_STAGES = tuple(
    Level(str(i), label, f"Description du stade {i}")
    for i, label in enumerate(
        [
            "Sujet non abordé",
            "Réflexion engagée",
            "Orientations formalisées",
            "Mise en œuvre engagée",
            "Mise en œuvre complète et effective",
        ]
    )
)
SIX_LEVELS = tuple(Level(f"n{i}", f"Niveau {i}", f"Atteindre le niveau {i}") for i in range(6))


def _maturity(qid: str, theme: str, levels: tuple[Level, ...], weight: float = 1.0) -> Question:
    return Question(
        id=qid,
        theme=theme,
        type=QuestionType.MATURITY,
        label=f"Question {qid}",
        levels=levels,
        allow_nsp=True,
        weight=weight,
    )


def small_questionnaire() -> Questionnaire:
    """Three themes: strategy (2 items, weights 1 and 2), services (3 items), territory (1 item)."""
    return Questionnaire(
        id="test-maturite",
        title="Test",
        version="1",
        edition="2026",
        themes=(
            Theme(
                "strategie",
                "Stratégie et gouvernance",
                weight=2,
                questions=(
                    _maturity("s1", "strategie", EY_STAGES),
                    _maturity("s2", "strategie", EY_STAGES, weight=2),
                ),
            ),
            Theme(
                "services",
                "Services aux usagers",
                weight=1,
                questions=(
                    _maturity("u1", "services", SIX_LEVELS),
                    _maturity("u2", "services", SIX_LEVELS),
                    _maturity("u3", "services", SIX_LEVELS),
                    Question("u_nb", "services", QuestionType.NUMBER, "Nombre de services"),
                ),
            ),
            Theme(
                "territoire",
                "Territoire serviciel",
                weight=1,
                questions=(_maturity("t1", "territoire", EY_STAGES),),
            ),
        ),
    )


def ey_like_questionnaire(n_themes: int = 9, items_per_theme: int = 4) -> Questionnaire:
    """An EY-like questionnaire: the first theme is strategy, all items on the 5 EY stages."""
    ids = ["strategie", *(f"theme{j}" for j in range(1, n_themes))]
    themes = tuple(
        Theme(
            tid,
            "Stratégie et gouvernance" if tid == "strategie" else f"Thème {tid}",
            questions=tuple(
                _maturity(f"{tid}_q{i}", tid, EY_STAGES) for i in range(items_per_theme)
            ),
        )
        for tid in ids
    )
    return Questionnaire("ey-like", "EY-like", "1", "2026", themes)


def planted_answers(
    questionnaire: Questionnaire, centers: np.ndarray, n: int, noise: float, seed: int
) -> tuple[pl.DataFrame, np.ndarray]:
    """Answers whose item ranks scatter around per-cluster theme centres (in rank units)."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, len(centers), n)
    data: dict[str, object] = {"code": [f"C{i:06d}" for i in range(n)]}
    for j, theme in enumerate(questionnaire.themes):
        for q in theme.questions:
            top = len(q.levels) - 1
            rank = np.clip(np.rint(centers[truth, j] * top + rng.normal(0, noise, n)), 0, top)
            codes = np.array([lv.code for lv in q.levels])
            data[q.id] = codes[rank.astype(int)]
    return pl.DataFrame(data), truth


def raked_reference_case():
    """The R reference case: simulated theme scores (with holes) on a raked design.

    Returns (scores, design, breakdown on `a`, R input rows, R margin totals); the R inputs are
    committed in `reference/` with R `survey`'s figures (`reference/make_reference.py`).
    """
    from barometre.maturity.levels import EY2019
    from barometre.maturity.model import MaturityModel
    from barometre.maturity.scores import compute_scores
    from barometre.stats.calibration import Margin, calibrate
    from barometre.stats.design import Design
    from barometre.stats.domains import Breakdown

    questionnaire = ey_like_questionnaire(n_themes=3, items_per_theme=2)
    model = MaturityModel.from_questionnaire(questionnaire)
    centers = np.array([[0.8, 0.7, 0.6], [0.3, 0.5, 0.4], [0.1, 0.1, 0.2]])
    answers, truth = planted_answers(questionnaire, centers, n=300, noise=0.9, seed=11)
    rng = np.random.default_rng(4)
    answers = answers.with_columns(  # about a third lose an item: the 75 % rule leaves holes
        pl.when(pl.Series(rng.random(300) < 0.3))
        .then(None)
        .otherwise(pl.col("strategie_q1"))
        .alias("strategie_q1")
    )
    scores = compute_scores(answers, model, min_answered_share=0.75)
    a = np.array(["petite", "moyenne", "grande"])[truth]
    b = np.where(rng.random(300) < 0.6, "opsn", "hors_opsn")
    totals = {"a": {"petite": 5000.0, "moyenne": 2500.0, "grande": 500.0}}
    totals["b"] = {"opsn": 4800.0, "hors_opsn": 3200.0}
    base = Design.from_columns(weights=np.full(300, 8000 / 300))
    design = calibrate(
        base,
        [Margin("a", a.astype(object), totals["a"]), Margin("b", b.astype(object), totals["b"])],
        method="raking",
        tol=1e-12,
    )
    strategy = scores.theme_scores[:, 0]
    rows = pl.DataFrame(
        {
            "code": scores.codes,
            "a": a,
            "b": b,
            "w0": base.weights,
            "score": strategy,
            "stage1": np.where(
                np.isnan(strategy), np.nan, (strategy < EY2019.thresholds[0]).astype(float)
            ),
        }
    ).with_columns(pl.col("score", "stage1").fill_nan(None))
    margin_totals = pl.DataFrame(
        {
            "margin": ["a"] * 3 + ["b"] * 2,
            "category": [*totals["a"], *totals["b"]],
            "total": [*totals["a"].values(), *totals["b"].values()],
        }
    )
    return scores, design, Breakdown.from_values("a", a), rows, margin_totals
