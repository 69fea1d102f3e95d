"""The maturity part of a questionnaire: themes, their weighted maturity items and ordered levels."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from barometre.questionnaire.model import Questionnaire


@dataclass(frozen=True)
class ItemLevel:
    """One ordered level of a maturity item (lowest first)."""

    code: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class MaturityItem:
    """A maturity question: its theme, its weight in the theme score and its ordered levels."""

    id: str
    theme: str
    levels: tuple[ItemLevel, ...]
    weight: float = 1.0
    label: str = ""

    def scores(self) -> dict[str, float]:
        """Level code → score on 0–100, linear in the rank (lowest 0, highest 100)."""
        n = len(self.levels)
        return {
            lv.code: (100.0 * i / (n - 1) if n > 1 else 100.0) for i, lv in enumerate(self.levels)
        }


@dataclass(frozen=True)
class MaturityTheme:
    """A theme of the maturity index with its weight in the overall index."""

    id: str
    label: str
    weight: float = 1.0
    description: str = ""


@dataclass(frozen=True)
class MaturityModel:
    """Themes and maturity items that the scores are computed from."""

    themes: tuple[MaturityTheme, ...]
    items: tuple[MaturityItem, ...]
    strategy_themes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        theme_ids = [t.id for t in self.themes]
        if len(set(theme_ids)) != len(theme_ids):
            raise ValueError("Identifiants de thème en double dans le modèle de maturité.")
        for item in self.items:
            if item.theme not in theme_ids:
                raise ValueError(
                    f"Question « {item.id} » : thème « {item.theme} » inconnu du modèle de maturité."
                )
            if len(item.levels) < 2:
                raise ValueError(
                    f"Question « {item.id} » : une échelle de maturité a au moins 2 niveaux."
                )
            if item.weight < 0:
                raise ValueError(f"Question « {item.id} » : le poids doit être positif ou nul.")
        for t in self.themes:
            if t.weight < 0:
                raise ValueError(f"Thème « {t.id} » : le poids doit être positif ou nul.")
        unknown = set(self.strategy_themes) - set(theme_ids)
        if unknown:
            raise ValueError(f"Thèmes de stratégie inconnus : {', '.join(sorted(unknown))}.")

    @property
    def theme_ids(self) -> list[str]:
        """Theme ids that carry at least one maturity item, in questionnaire order."""
        used = {i.theme for i in self.items}
        return [t.id for t in self.themes if t.id in used]

    @property
    def item_ids(self) -> list[str]:
        """Maturity item ids in questionnaire order."""
        return [i.id for i in self.items]

    def theme(self, theme_id: str) -> MaturityTheme:
        """The theme with this id."""
        return next(t for t in self.themes if t.id == theme_id)

    def item_theme_weights(self) -> np.ndarray:
        """Items × themes matrix holding each item's weight in the column of its theme."""
        themes = self.theme_ids
        matrix = np.zeros((len(self.items), len(themes)))
        for row, item in enumerate(self.items):
            matrix[row, themes.index(item.theme)] = item.weight
        return matrix

    def theme_weights(self) -> np.ndarray:
        """Weights of the scored themes in the overall index."""
        return np.array([self.theme(t).weight for t in self.theme_ids], dtype=float)

    def strategy_theme_ids(self) -> list[str]:
        """Themes counted as 'strategy' for naming profiles (explicit, else ids/labels with 'strat')."""
        if self.strategy_themes:
            return [t for t in self.theme_ids if t in self.strategy_themes]
        return [
            t.id
            for t in self.themes
            if t.id in self.theme_ids
            and (
                re.search(r"(^|[_-])strat", t.id.lower())
                or re.search(r"\bstratég", t.label.lower())
            )
        ]

    @classmethod
    def from_questionnaire(
        cls, questionnaire: Questionnaire, strategy_themes: Iterable[str] = ()
    ) -> MaturityModel:
        """Build from a `barometre.questionnaire.Questionnaire` (its `maturity` questions, maybe none)."""
        themes = tuple(
            MaturityTheme(
                id=t.id,
                label=t.label or t.id,
                weight=_weight(t.weight),
                description=t.description or "",
            )
            for t in questionnaire.themes
        )
        items = []
        for q in questionnaire.questions:
            if q.type != "maturity":
                continue
            levels = tuple(
                ItemLevel(
                    code=str(lv.code),
                    label=lv.label or "",
                    description=lv.description or "",
                )
                for lv in (q.levels or ())
            )
            items.append(
                MaturityItem(
                    id=q.id,
                    theme=q.theme,
                    levels=levels,
                    weight=_weight(q.weight),
                    label=q.label or "",
                )
            )
        return cls(themes=themes, items=tuple(items), strategy_themes=tuple(strategy_themes))


def _weight(value: Any) -> float:
    """A theme or item weight, 1 when unset."""
    return 1.0 if value is None else float(value)
