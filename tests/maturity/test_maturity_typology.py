"""Typology: planted clusters are recovered, named, stable and deterministic."""

from __future__ import annotations

import numpy as np
import pytest
from maturity_fixtures import ey_like_questionnaire, planted_answers
from sklearn.metrics import adjusted_rand_score

from barometre.maturity.model import MaturityModel
from barometre.maturity.scores import compute_scores
from barometre.maturity.typology import (
    PRAGMATIQUES,
    RETARDATAIRES,
    STRATEGES,
    build_typology,
    profile_names,
)

# rank fractions per theme: strategy first, then 8 operational themes
CENTERS = np.array(
    [
        [0.95, *[0.85] * 8],  # stratèges: most mature, strategy ahead
        [0.30, *[0.50] * 8],  # pragmatiques: operations ahead of strategy
        [0.05, *[0.10] * 8],  # retardataires
    ]
)
TRUE_NAMES = [STRATEGES, PRAGMATIQUES, RETARDATAIRES]


@pytest.fixture(scope="module")
def planted():
    questionnaire = ey_like_questionnaire()
    model = MaturityModel.from_questionnaire(questionnaire)
    answers, truth = planted_answers(questionnaire, CENTERS, n=1200, noise=0.7, seed=7)
    return model, compute_scores(answers, model), truth


def test_recovers_planted_clusters_and_names_them(planted) -> None:
    model, scores, truth = planted
    typology = build_typology(
        scores, k=3, seed=11, n_bootstrap=5, strategy_themes=model.strategy_theme_ids()
    )
    assert adjusted_rand_score(truth, typology.profile) >= 0.9
    # each true cluster's majority profile carries the expected name
    for cluster, expected in enumerate(TRUE_NAMES):
        found = np.bincount(typology.profile[truth == cluster]).argmax()
        assert typology.names[found - 1] == expected
    assert typology.stability >= 0.9
    assert 0.2 < typology.silhouette <= 1
    overall = typology.centroids.mean(axis=1)
    assert np.all(np.diff(overall) < 0)  # profile 1 is the most mature


def test_auto_k_picks_three(planted) -> None:
    _, scores, _ = planted
    typology = build_typology(scores, k="auto", seed=3, n_bootstrap=0)
    assert typology.k == 3
    assert set(typology.silhouette_by_k) == {2, 3, 4, 5, 6}
    assert np.isnan(typology.stability)


def test_same_seed_same_result(planted) -> None:
    _, scores, _ = planted
    a = build_typology(scores, seed=5, n_bootstrap=3)
    b = build_typology(scores, seed=5, n_bootstrap=3)
    assert np.array_equal(a.profile, b.profile)
    assert np.array_equal(a.centroids, b.centroids)
    assert np.array_equal(a.stability_ari, b.stability_ari)
    assert a.silhouette == b.silhouette


def test_incomplete_respondents_are_unclassified(planted) -> None:
    _, scores, _ = planted
    theme_scores = scores.theme_scores.copy()
    theme_scores[:10, 2] = np.nan
    holey = type(scores)(**{**scores.__dict__, "theme_scores": theme_scores})
    typology = build_typology(holey, n_bootstrap=0)
    assert (typology.profile[:10] == 0).all() and (typology.profile[10:] > 0).all()
    table = typology.assignments()
    assert table["profile"].null_count() == 10
    assert typology.quality_table()["n_unclassified"].item() == 10


def test_weights_weigh_centroids(planted) -> None:
    _, scores, truth = planted
    w = np.where(truth == 2, 10.0, 1.0)
    weighted = build_typology(scores, weights=w, n_bootstrap=0, seed=1)
    plain = build_typology(scores, n_bootstrap=0, seed=1)
    # same partition on such clear clusters, centroids are weighted means of members
    assert adjusted_rand_score(weighted.profile, plain.profile) > 0.95
    members = weighted.profile == 1
    expected = np.average(scores.theme_scores[members], axis=0, weights=w[members])
    assert weighted.centroids[0] == pytest.approx(expected)


def test_names_follow_the_rules_and_can_be_edited() -> None:
    centroids = np.array([[40.0, 70, 70], [80, 60, 60], [10, 20, 20], [50, 45, 45]])
    names = profile_names(centroids, strategy=[0])
    assert names == [PRAGMATIQUES, STRATEGES, RETARDATAIRES, "Profil 4"]
    assert profile_names(centroids, strategy=[])[1] == "Avancés"
    # strategy lags everywhere: "ahead" is read against the sample's mean gap
    harder = np.array([[70.0, 90, 90], [50, 80, 80], [10, 20, 20]])
    assert profile_names(harder, strategy=[0]) == [STRATEGES, PRAGMATIQUES, RETARDATAIRES]
    # sizes weigh the mean gap: when the large third profile sets it (-10), both others lag
    sizes = np.array([1.0, 1.0, 100.0])
    assert profile_names(harder, strategy=[0], sizes=sizes) == [
        PRAGMATIQUES,
        "Profil 2",
        RETARDATAIRES,
    ]


def test_renamed(planted) -> None:
    _, scores, _ = planted
    typology = build_typology(scores, n_bootstrap=0).renamed({2: "Intermédiaires"})
    assert typology.names[1] == "Intermédiaires"
    assert typology.centroid_table().filter(typology.centroid_table()["profile"] == 2)[
        "profile_name"
    ].unique().to_list() == ["Intermédiaires"]
    with pytest.raises(ValueError, match="Profil 4"):
        typology.renamed({4: "x"})


def test_small_samples(planted) -> None:
    _, scores, _ = planted
    rows = np.r_[0:3, 400:403, 800:802]  # 8 respondents spread over the three profiles
    small = type(scores)(
        **{
            **scores.__dict__,
            "codes": scores.codes[rows],
            "theme_scores": scores.theme_scores[rows],
        }
    )
    # bootstrap resamples of 8 respondents often hold fewer than 3 distinct points: no warning
    typology = build_typology(small, k=3, n_bootstrap=10, seed=2)
    assert typology.k == 3 and len(typology.stability_ari) == 10
    same = type(scores)(
        **{**small.__dict__, "theme_scores": np.repeat(small.theme_scores[:2], 4, axis=0)}
    )
    with pytest.raises(ValueError, match="combinaisons distinctes"):
        build_typology(same, k=3, n_bootstrap=0)
