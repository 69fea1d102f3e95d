"""Private positioning reports: peers' distribution, quartile, next level; never a rank or another respondent."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
from markupsafe import escape

from barometre.publish.positioning import LINKS_FILE, positions, private_token
from barometre.publish.report import positioning_reports


def test_positions_use_peers_and_merge_small_groups(ey_results) -> None:
    maturity = ey_results.maturity
    table = positions(
        maturity["scores"],
        ey_results.respondents,
        maturity["recommendations_themes"],
        peer_min=10,
        levels_scale=maturity["levels_scale"],
    )
    n = ey_results.respondents.height
    assert table["code"].n_unique() == n
    scored = table.filter(pl.col("score").is_not_null())
    assert scored["quarter"].is_between(1, 4).all()
    assert (scored["peer_q1"] <= scored["peer_median"]).all()
    assert (scored["peer_median"] <= scored["peer_q3"]).all()
    assert (table["peer_n"] >= 10).all()  # no group smaller than the threshold is ever shown
    sizes = ey_results.respondents.group_by("kind_detail", "size_class").len()
    small = sizes.filter(pl.col("len") < 10)
    assert small.height > 0
    merged = table.join(small, on=["kind_detail", "size_class"]).filter(
        pl.col("theme") != "_global"
    )
    assert (merged["peer_level"] != "kind_size").all()
    # the quarter is consistent with the score against the group's quartiles
    top = scored.filter(pl.col("score") >= pl.col("peer_q3"))
    assert (top["quarter"] == 4).all()
    # recommendation: the level above the respondent's, with its description
    below_top = table.filter(pl.col("next_level").is_not_null())
    assert below_top["next_level_description"].is_not_null().all()


def test_reports_are_private_files_without_rank_or_other_names(ey_results, tmp_path: Path) -> None:
    out, count = positioning_reports(ey_results, tmp_path / "prive", secret="s3cret")
    assert count == ey_results.respondents.height
    links = pl.read_csv(out / LINKS_FILE, schema_overrides={"code": pl.String})
    assert links.height == count and links["token"].n_unique() == count
    edition_id = str(ey_results.meta["id"])
    names = dict(zip(ey_results.respondents["code"], ey_results.respondents["name"], strict=True))
    for row in links.head(12).to_dicts():
        assert row["token"] == private_token("s3cret", edition_id, row["code"])
        assert row["code"] not in row["fichier"]
        html = (out / row["fichier"]).read_text(encoding="utf-8")
        own = names[row["code"]]
        assert f"Rapport de positionnement : {escape(own)}" in html
        others = [n for c, n in names.items() if c != row["code"] and n not in own and len(n) > 4]
        assert not [n for n in others if re.search(rf"\b{re.escape(str(escape(n)))}\b", html)]
        assert not re.search(r"\b(\d+e|\d+ème|premier|dernier) sur \d+", html)
        assert "Recommandation" in html or "niveau le plus élevé" in html
        assert "Vous vous situez dans" in html
        assert "élargi" in html  # 39 respondents: small peer groups are merged and say so
    assert (tmp_path / "prive" / "secret.txt").exists() is False  # given secret is not stored
