"""Named maturity levels cut from 0–100 scores by thresholds; EY 2023 and EY 2019 presets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LevelScale:
    """Ordered named levels; level k covers scores in [thresholds[k-1], thresholds[k])."""

    id: str
    names: tuple[str, ...]
    thresholds: tuple[float, ...]  # len(names) - 1 increasing cut points on 0–100
    descriptions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if len(self.thresholds) != len(self.names) - 1:
            raise ValueError(
                f"Échelle « {self.id} » : il faut {len(self.names) - 1} seuils pour "
                f"{len(self.names)} niveaux (reçu {len(self.thresholds)})."
            )
        cuts = np.asarray(self.thresholds, dtype=float)
        if np.any(np.diff(cuts) <= 0) or np.any(cuts <= 0) or np.any(cuts > 100):
            raise ValueError(
                f"Échelle « {self.id} » : les seuils doivent être croissants, entre 0 et 100."
            )
        if self.descriptions and len(self.descriptions) != len(self.names):
            raise ValueError(f"Échelle « {self.id} » : une description par niveau est attendue.")

    def assign(self, scores: np.ndarray) -> np.ndarray:
        """Level index (0 = lowest) of each score; -1 where the score is missing."""
        values = np.asarray(scores, dtype=float)
        index = np.searchsorted(np.asarray(self.thresholds), values, side="right")
        return np.where(np.isnan(values), -1, index)

    def labels(self, scores: np.ndarray) -> np.ndarray:
        """Level name of each score (None where missing)."""
        index = self.assign(scores)
        names = np.array([*self.names, None], dtype=object)
        return names[np.where(index < 0, len(self.names), index)]

    def description(self, index: int) -> str:
        """Description of level `index` (empty when the scale has none)."""
        return self.descriptions[index] if self.descriptions else ""

    def with_thresholds(self, thresholds: tuple[float, ...]) -> LevelScale:
        """Same names and descriptions, other cut points."""
        return LevelScale(self.id, self.names, tuple(thresholds), self.descriptions)


def even_thresholds(n_levels: int) -> tuple[float, ...]:
    """Cut points at the midpoints between the scores of an n-level item (0, 100/(n-1), …, 100)."""
    step = 100.0 / (n_levels - 1)
    return tuple(round(step * (k + 0.5), 6) for k in range(n_levels - 1))


EY2023 = LevelScale(
    id="ey2023",
    names=(
        "Non engagée",
        "Émergente",
        "En développement",
        "Structurée",
        "Avancée",
        "Exemplaire",
    ),
    thresholds=even_thresholds(6),
    descriptions=(
        "Le sujet n'est pas encore abordé par la collectivité.",
        "Une réflexion est engagée, sans orientation formalisée ni moyens dédiés.",
        "Des orientations sont formalisées et les premières actions lancées sur un périmètre limité.",
        "La démarche est structurée : pilotage identifié, moyens dédiés, mise en œuvre engagée sur l'essentiel du périmètre.",
        "La mise en œuvre est complète et effective, suivie par des indicateurs et évaluée.",
        "La collectivité innove, partage ses pratiques et entraîne les acteurs de son territoire.",
    ),
)

EY2019 = LevelScale(
    id="ey2019",
    names=(
        "Sujet non abordé",
        "Réflexion engagée",
        "Orientations formalisées",
        "Mise en œuvre engagée",
        "Mise en œuvre complète et effective",
    ),
    thresholds=even_thresholds(5),
    descriptions=(
        "La collectivité n'a pas encore abordé le sujet.",
        "Une réflexion est engagée, sans orientation encore formalisée.",
        "Les orientations sont formalisées (stratégie, feuille de route), la mise en œuvre reste à engager.",
        "La mise en œuvre des orientations est engagée.",
        "La mise en œuvre est complète et effective, et son impact est évalué.",
    ),
)

PRESETS: dict[str, LevelScale] = {EY2023.id: EY2023, EY2019.id: EY2019}
DEFAULT_PRESET = EY2023.id
SETTING = "maturity_levels"  # questionnaire setting naming the template's preset


def template_preset(settings: Mapping[str, object] | None) -> str:
    """The preset a questionnaire names in `settings.maturity_levels`, else the default one."""
    value = (settings or {}).get(SETTING)
    if value is None:
        return DEFAULT_PRESET
    if str(value) not in PRESETS:
        raise ValueError(
            f"Questionnaire : réglage {SETTING} « {value} » inconnu (échelles disponibles : "
            f"{', '.join(PRESETS)})."
        )
    return str(value)


def level_scale(
    preset: str = DEFAULT_PRESET, thresholds: tuple[float, ...] | None = None
) -> LevelScale:
    """The named preset, optionally with custom thresholds."""
    try:
        scale = PRESETS[preset]
    except KeyError:
        raise ValueError(
            f"Échelle de niveaux « {preset} » inconnue (disponibles : {', '.join(PRESETS)})."
        ) from None
    return scale if thresholds is None else scale.with_thresholds(tuple(thresholds))
