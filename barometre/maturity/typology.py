"""Typology of respondents: k-means on theme scores, silhouette, bootstrap stability, profile names."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import adjusted_rand_score, silhouette_score
from threadpoolctl import threadpool_limits

from barometre.maturity.scores import Scores

DEFAULT_K = 3
AUTO_K_RANGE = range(2, 7)
DEFAULT_SEED = 2026
DEFAULT_N_INIT = 4
DEFAULT_BOOTSTRAP = 20
SILHOUETTE_SAMPLE = 2000
DEFAULT_THREADS = 1

STRATEGES = "Stratèges"
PRAGMATIQUES = "Pragmatiques"
RETARDATAIRES = "Retardataires"
AVANCES = "Avancés"


@dataclass(frozen=True)
class Typology:
    """Profiles found on theme scores; profile 1 has the highest overall centroid."""

    themes: list[str]
    codes: np.ndarray  # (N,) all respondents
    profile: np.ndarray  # (N,) profile number 1..k, 0 when not classified (missing theme score)
    centroids: np.ndarray  # (k, T) weighted mean theme scores of each profile
    names: list[str]  # profile names, index k-1 for profile k
    silhouette: float
    stability_ari: np.ndarray  # adjusted Rand index of each bootstrap refit vs the reference
    seed: int
    silhouette_by_k: dict[int, float] = field(default_factory=dict)
    sizes: np.ndarray | None = None  # (k,) weighted size of each profile

    @property
    def k(self) -> int:
        """Number of profiles."""
        return len(self.centroids)

    @property
    def stability(self) -> float:
        """Mean bootstrap adjusted Rand index (NaN when no bootstrap was run)."""
        return float(np.mean(self.stability_ari)) if len(self.stability_ari) else float("nan")

    def renamed(self, names: Mapping[int, str] | Sequence[str]) -> Typology:
        """Same typology with edited names (sequence in profile order, or {profile: name})."""
        new = list(self.names)
        items = names.items() if isinstance(names, Mapping) else enumerate(names, start=1)
        for number, name in items:
            if not 1 <= int(number) <= self.k:
                raise ValueError(f"Profil {number} inexistant (profils 1 à {self.k}).")
            new[int(number) - 1] = str(name)
        return Typology(
            self.themes,
            self.codes,
            self.profile,
            self.centroids,
            new,
            self.silhouette,
            self.stability_ari,
            self.seed,
            self.silhouette_by_k,
            self.sizes,
        )

    def assignments(self, id_column: str = "code") -> pl.DataFrame:
        """One row per respondent: profile number and name (null when not classified)."""
        names = np.array([None, *self.names], dtype=object)
        return pl.DataFrame(
            {
                id_column: self.codes,
                "profile": pl.Series(self.profile, dtype=pl.Int64),
                "profile_name": pl.Series(names[self.profile].tolist(), dtype=pl.Utf8),
            }
        ).with_columns(
            pl.when(pl.col("profile") == 0).then(None).otherwise(pl.col("profile")).alias("profile")
        )

    def centroid_table(self) -> pl.DataFrame:
        """Tidy table profile × theme with the centroid score."""
        k, t = self.centroids.shape
        return pl.DataFrame(
            {
                "profile": np.repeat(np.arange(1, k + 1), t),
                "profile_name": np.repeat(np.array(self.names, dtype=object), t),
                "theme": np.tile(np.array(self.themes, dtype=object), k),
                "centroid": self.centroids.ravel(),
            }
        )

    def profile_table(
        self, strategy: Sequence[int] = (), theme_weights: np.ndarray | None = None
    ) -> pl.DataFrame:
        """One row per profile: name, size, overall centroid, centred strategy gap."""
        tw = np.ones(len(self.themes)) if theme_weights is None else np.asarray(theme_weights)
        return pl.DataFrame(
            {
                "profile": np.arange(1, self.k + 1),
                "profile_name": self.names,
                "n": np.bincount(self.profile, minlength=self.k + 1)[1:],
                "overall_centroid": (self.centroids @ tw) / tw.sum(),
                "strategy_gap": strategy_gaps(self.centroids, strategy, self.sizes),
            }
        ).with_columns(pl.col("strategy_gap").fill_nan(None))

    def quality_table(self) -> pl.DataFrame:
        """k, silhouette, bootstrap stability (mean, 2.5 % and 97.5 % quantiles of the ARI)."""
        ari = self.stability_ari
        q = np.quantile(ari, [0.025, 0.975]) if len(ari) else [np.nan, np.nan]
        return pl.DataFrame(
            {
                "k": [self.k],
                "silhouette": [self.silhouette],
                "stability_ari_mean": [self.stability],
                "stability_ari_low": [float(q[0])],
                "stability_ari_high": [float(q[1])],
                "n_bootstrap": [len(ari)],
                "n_classified": [int((self.profile > 0).sum())],
                "n_unclassified": [int((self.profile == 0).sum())],
                "seed": [self.seed],
            }
        ).with_columns(pl.col(pl.Float64).fill_nan(None))


def _kmeans(k: int, seed: int, n_init: int) -> KMeans:
    """The k-means estimator used everywhere (fixed n_init and random_state: deterministic)."""
    return KMeans(n_clusters=k, n_init=n_init, random_state=seed)


def _silhouette(x: np.ndarray, labels: np.ndarray, seed: int) -> float:
    """Silhouette on a fixed random subsample (exact below SILHOUETTE_SAMPLE respondents)."""
    if len(np.unique(labels)) < 2:
        return float("nan")
    size = SILHOUETTE_SAMPLE if len(x) > SILHOUETTE_SAMPLE else None
    return float(silhouette_score(x, labels, sample_size=size, random_state=seed))


def build_typology(
    scores: Scores,
    k: int | str = DEFAULT_K,
    weights: np.ndarray | None = None,
    seed: int = DEFAULT_SEED,
    n_init: int = DEFAULT_N_INIT,
    n_bootstrap: int = DEFAULT_BOOTSTRAP,
    strategy_themes: Sequence[str] = (),
    theme_weights: np.ndarray | None = None,
    names: Mapping[int, str] | Sequence[str] | None = None,
    threads: int | None = DEFAULT_THREADS,
) -> Typology:
    """Cluster respondents with complete theme scores; `k="auto"` picks the best silhouette in 2..6.

    Weights (survey weights) weigh the k-means objective; respondents with a missing theme score
    are left unclassified (profile 0). `threads` caps the BLAS/OpenMP threads (None: no cap): on
    a few thousand rows × a few themes, starting threads costs more than it gains.
    """
    with threadpool_limits(limits=threads):
        return _build_typology(
            scores, k, weights, seed, n_init, n_bootstrap, strategy_themes, theme_weights, names
        )


def _build_typology(
    scores: Scores,
    k: int | str,
    weights: np.ndarray | None,
    seed: int,
    n_init: int,
    n_bootstrap: int,
    strategy_themes: Sequence[str],
    theme_weights: np.ndarray | None,
    names: Mapping[int, str] | Sequence[str] | None,
) -> Typology:
    """The work of `build_typology`, inside its thread limit."""
    x_all = scores.theme_scores
    if x_all.shape[1] == 0:
        raise ValueError("Aucun score de thème : le questionnaire n'a pas de question de maturité.")
    complete = ~np.isnan(x_all).any(axis=1)
    x = x_all[complete]
    w = None if weights is None else np.asarray(weights, dtype=float)[complete]
    candidates = list(AUTO_K_RANGE) if k == "auto" else [int(k)]
    if min(candidates) < 2:
        raise ValueError("Le nombre de profils doit être au moins 2.")
    if len(x) < max(candidates) * 2:
        raise ValueError(
            f"Trop peu de répondants avec tous les scores de thème ({len(x)}) pour "
            f"{max(candidates)} profils."
        )
    distinct = len(np.unique(x, axis=0))
    if distinct < max(candidates):
        raise ValueError(
            f"Seulement {distinct} combinaisons distinctes de scores de thème : impossible de "
            f"former {max(candidates)} profils."
        )
    fits: dict[int, tuple[KMeans, float]] = {}
    for kk in candidates:
        model = _kmeans(kk, seed, n_init).fit(x, sample_weight=w)
        fits[kk] = (model, _silhouette(x, model.labels_, seed))
    best = (
        max(fits, key=lambda kk: (np.nan_to_num(fits[kk][1], nan=-np.inf), -kk))
        if k == "auto"
        else candidates[0]
    )
    model, silhouette = fits[best]
    tw = np.ones(x.shape[1]) if theme_weights is None else np.asarray(theme_weights, float)
    centroids = _weighted_centroids(x, model.labels_, w, best)
    order = np.argsort(-(centroids @ tw) / tw.sum(), kind="stable")
    rank = np.empty(best, dtype=np.int64)
    rank[order] = np.arange(1, best + 1)
    profile = np.zeros(len(x_all), dtype=np.int64)
    profile[complete] = rank[model.labels_]
    centroids = centroids[order]
    member_w = np.ones(len(x)) if w is None else w
    sizes = np.bincount(model.labels_, weights=member_w, minlength=best)[order]
    ari = _bootstrap_ari(x, w, model.labels_, best, seed, n_init, n_bootstrap)
    strategy = [scores.themes.index(t) for t in strategy_themes if t in scores.themes]
    typology = Typology(
        themes=list(scores.themes),
        codes=scores.codes,
        profile=profile,
        centroids=centroids,
        names=profile_names(centroids, strategy, tw, sizes),
        silhouette=silhouette,
        stability_ari=ari,
        seed=seed,
        silhouette_by_k={kk: s for kk, (_, s) in fits.items()},
        sizes=sizes,
    )
    return typology if names is None else typology.renamed(names)


def _weighted_centroids(
    x: np.ndarray, labels: np.ndarray, w: np.ndarray | None, k: int
) -> np.ndarray:
    """Weighted mean of x in each cluster (vectorised with a one-hot matrix)."""
    weights = np.ones(len(x)) if w is None else w
    onehot = np.zeros((len(x), k))
    onehot[np.arange(len(x)), labels] = weights
    return (onehot.T @ x) / onehot.sum(axis=0)[:, None]


def _bootstrap_ari(
    x: np.ndarray,
    w: np.ndarray | None,
    reference: np.ndarray,
    k: int,
    seed: int,
    n_init: int,
    n_bootstrap: int,
) -> np.ndarray:
    """Refit on bootstrap resamples, predict every respondent, compare to the reference (ARI)."""
    rng = np.random.default_rng(seed)
    out = np.empty(n_bootstrap)
    for b in range(n_bootstrap):
        idx = rng.integers(0, len(x), len(x))
        with warnings.catch_warnings():
            # a small resample may hold fewer distinct points than k: expected, it lowers the ARI
            warnings.simplefilter("ignore", ConvergenceWarning)
            refit = _kmeans(k, seed + b + 1, n_init).fit(
                x[idx], sample_weight=None if w is None else w[idx]
            )
        out[b] = adjusted_rand_score(reference, refit.predict(x))
    return out


def strategy_gaps(
    centroids: np.ndarray, strategy: Sequence[int], sizes: np.ndarray | None = None
) -> np.ndarray:
    """Strategy gap of each profile, centred on the sample's mean gap (NaN without strategy).

    Gap = mean strategy-theme centroid − mean operational-theme centroid; centring on the
    size-weighted mean gap reads "ahead" relative to the typical respondent (strategy items are
    often harder everywhere).
    """
    k, t = centroids.shape
    operational = [j for j in range(t) if j not in set(strategy)]
    if not strategy or not operational:
        return np.full(k, np.nan)
    gap = centroids[:, list(strategy)].mean(axis=1) - centroids[:, operational].mean(axis=1)
    return gap - np.average(gap, weights=np.ones(k) if sizes is None else sizes)


def profile_names(
    centroids: np.ndarray,
    strategy: Sequence[int],
    theme_weights: np.ndarray | None = None,
    sizes: np.ndarray | None = None,
) -> list[str]:
    """Default names from centroids sorted by decreasing overall score.

    Lowest overall → Retardataires; the highest other profile with strategy ahead (centred gap
    ≥ 0, see `strategy_gaps`) → Stratèges; the highest other profile with operational themes
    ahead → Pragmatiques; others → « Profil n ». Without strategy themes the top profile is
    called « Avancés ».
    """
    k, t = centroids.shape
    names = [f"Profil {i + 1}" for i in range(k)]
    tw = np.ones(t) if theme_weights is None else np.asarray(theme_weights, float)
    overall = (centroids @ tw) / tw.sum()
    order = np.argsort(-overall, kind="stable")
    names[order[-1]] = RETARDATAIRES
    others = [int(i) for i in order[:-1]]
    gap = strategy_gaps(centroids, strategy, sizes)
    if np.isnan(gap).all():
        names[others[0]] = AVANCES
        return names
    ahead = [i for i in others if gap[i] >= 0]
    behind = [i for i in others if gap[i] < 0]
    if ahead:
        names[ahead[0]] = STRATEGES
    if behind:
        names[behind[0]] = PRAGMATIQUES
    return names
