"""Private positioning reports for every questionnaire: own answers next to the peers' weighted
shares, scores against quartiles; never a rank, another respondent, or a group under 5."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from markupsafe import escape

from barometre.edition.private_reports import EDITION_FILE, LINKS_FILE, report_of
from barometre.maturity.levels import EY2019
from barometre.publish.peer_answers import quarter_of, weighted_quartiles
from barometre.publish.peer_groups import (
    MIN_GROUP_SIZE,
    check_peer_min,
    choose_groups,
    with_group_keys,
)
from barometre.publish.positioning import build_positioning, private_token
from barometre.publish.report import edition_answers, positioning_reports
from barometre.results.store import compute_results

DINUM = "dinum-collectivites-numerique-2024"
EY = "ey-france-urbaine-maturite"
RANK = re.compile(r"\b(\d+(e|ème|er)|premier|première|dernier|dernière) (sur|de|des) \d+", re.I)


def _people(sizes: dict[tuple[str, str], int]) -> pl.DataFrame:
    """Respondents in groups of the given sizes (kind, size class) → count."""
    rows = [
        (f"{kind}-{size}-{i}", kind, size, 1.0)
        for (kind, size), n in sizes.items()
        for i in range(n)
    ]
    frame = pl.DataFrame(rows, schema=["code", "kind_detail", "size_class", "weight"], orient="row")
    return with_group_keys(frame)


def test_groups_are_widened_and_nothing_is_shown_under_five() -> None:
    people = _people({("commune", "a"): 6, ("commune", "b"): 3, ("epci_CC", "a"): 2})
    values = people.select("code", pl.lit("q1").alias("unit"))
    chosen = choose_groups(values, people, peer_min=5).sort("code")
    levels = dict(zip(chosen["code"], chosen["level"], strict=True))
    assert levels["commune-a-0"] == "kind_size"  # 6 ≥ 5
    assert levels["commune-b-0"] == "kind"  # 3 < 5: all communes (9)
    assert levels["epci_CC-a-0"] == "all"  # 2 EPCI: every respondent (11)
    assert chosen.filter(pl.col("code") == "commune-b-0")["peer_n"][0] == 9
    # three respondents in the whole edition: no group at all, not even the last one
    tiny = _people({("commune", "a"): 2, ("epci_CC", "a"): 1})
    none = choose_groups(tiny.select("code", pl.lit("q").alias("unit")), tiny, peer_min=5)
    assert none["level"].is_null().all() and none["group"].is_null().all()
    with pytest.raises(ValueError, match="inférieur au seuil de 5"):
        check_peer_min(3)


def test_a_value_equal_to_a_quartile_is_placed_in_the_quarter_below() -> None:
    frame = pl.DataFrame(
        {
            "score": [10.0, 25.0, 50.0, 75.0, 90.0, 50.0, 60.0],
            "q1": [25.0] * 5 + [50.0, 60.0],
            "median": [50.0] * 5 + [50.0, 60.0],
            "q3": [75.0] * 5 + [50.0, 60.0],
        }
    )
    quarters = frame.select(
        quarter_of(pl.col("score"), pl.col("q1"), pl.col("median"), pl.col("q3"))
    ).to_series()
    # 25 = q1 → 1st quarter, 50 = median → 2nd, 75 = q3 → 3rd (not the top), 90 → 4th;
    # when the middle half of the group shares the score, no quarter is named (0)
    assert quarters.to_list() == [1, 1, 2, 3, 4, 0, 0]


def test_weighted_quartiles_are_lower_weighted_quantiles() -> None:
    people = _people({("commune", "a"): 5}).with_columns(
        weight=pl.Series([1.0, 1.0, 1.0, 1.0, 4.0])
    )
    values = people.select(
        "code", pl.lit("q").alias("question"), pl.Series("value", [1.0, 2.0, 3.0, 4.0, 5.0])
    )
    table = weighted_quartiles(values, people).filter(pl.col("level") == "kind_size")
    # cumulative weights 1, 2, 3, 4, 8 of 8: q1 = 2 (2 ≥ 2), median = 4 (4 ≥ 4), q3 = 5
    assert table.select("q1", "median", "q3").row(0) == (2.0, 4.0, 5.0)
    assert table["mean"][0] == pytest.approx((1 + 2 + 3 + 4 + 20) / 8)


@pytest.fixture(scope="module")
def dinum(editions, tmp_path_factory):
    """DINUM demo (no maturity items): results, answers, positioning tables and written reports."""
    folder = editions[DINUM]
    results = compute_results(folder)
    answers = edition_answers(folder)
    out = tmp_path_factory.mktemp("prive") / "positionnement"
    positioning_reports(results, answers, out, secret="s3cret")
    positioning = build_positioning(
        results.questionnaire, results.respondents, answers, results.maturity
    )
    return results, answers, positioning, out


def test_every_respondent_of_a_questionnaire_without_maturity_gets_a_report(dinum) -> None:
    results, _, positioning, out = dinum
    links = pl.read_csv(out / LINKS_FILE, schema_overrides={"code": pl.String})
    assert links.height == results.respondents.height == positioning.people.height
    assert links["token"].n_unique() == links.height
    assert sorted(links["code"]) == sorted(results.respondents["code"])
    assert len(list(out.glob("*.html"))) == links.height
    record = (out / EDITION_FILE).read_text(encoding="utf-8")
    assert results.questionnaire.id in record
    code = links["code"][0]
    assert report_of(out, results.questionnaire.id, results.questionnaire.edition, code) == (
        out / links["fichier"][0]
    )
    assert report_of(out, results.questionnaire.id, "1999", code) is None


def test_peer_shares_are_the_weighted_shares_of_the_group(dinum) -> None:
    _results, answers, positioning, _ = dinum
    question = "inc_lieux_mediation"
    people = positioning.people
    group = people.group_by("group_kind_size").len().sort("len", descending=True)[0, 0]
    members = people.filter(pl.col("group_kind_size") == group).join(
        answers.select("code", question), on="code"
    )
    answered = members.filter(pl.col(question).is_not_null() & (pl.col(question) != ""))
    expected = answered.filter(pl.col(question) == "oui")["weight"].sum() / answered["weight"].sum()
    share = positioning.shares.filter(
        (pl.col("level") == "kind_size")
        & (pl.col("group") == group)
        & (pl.col("question") == question)
        & (pl.col("option") == "oui")
    )["share"][0]
    assert share == pytest.approx(expected, rel=1e-12)
    assert answered.height >= MIN_GROUP_SIZE


class _Rows(HTMLParser):
    """Collect the text of every table row of a page, table by table."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[str]] = []
        self.row: list[str] | None = None

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.row = []

    def handle_endtag(self, tag) -> None:
        if tag == "tr" and self.row is not None:
            self.tables[-1].append(" ".join("".join(self.row).split()))
            self.row = None

    def handle_data(self, data) -> None:
        if self.row is not None:
            self.row.append(data)


def test_reports_show_own_answers_never_a_rank_nor_another_respondent(dinum) -> None:
    results, answers, _positioning, out = dinum
    links = pl.read_csv(out / LINKS_FILE, schema_overrides={"code": pl.String})
    names = dict(zip(results.respondents["code"], results.respondents["name"], strict=True))
    own = answers.select("code", "inc_lieux_mediation")
    own = dict(zip(own["code"], own["inc_lieux_mediation"], strict=True))
    for row in links.head(15).to_dicts():
        assert row["token"] == private_token("s3cret", str(results.meta["id"]), row["code"])
        assert row["code"] not in row["fichier"]
        html = (out / row["fichier"]).read_text(encoding="utf-8")
        assert f"Rapport de positionnement : {escape(names[row['code']])}" in html
        assert '<link rel="stylesheet" href="positionnement.css">' in html
        others = [
            n
            for c, n in names.items()
            if c != row["code"] and len(n) > 6 and n not in names[row["code"]]
        ]
        assert not [n for n in others if re.search(rf"\b{re.escape(str(escape(n)))}\b", html)]
        assert not RANK.search(html)
        assert "Vos pairs sont les collectivités répondantes" in html
        assert "Inclusion et médiation numérique" in html and "Vague 1" in html
        label = {"oui": "Oui", "non": "Non", "nsp": "Ne sait pas / sans réponse"}.get(
            own[row["code"]] or ""
        )
        if label:
            assert f"Votre réponse : <strong>{label}</strong>" in html
        parser = _Rows()
        parser.feed(html)
        for table in parser.tables:
            assert len(table) == len(set(table)), table  # no row repeated
    assert (out / "positionnement.css").read_text(encoding="utf-8").count(".w100{") == 1


def test_a_widened_group_is_named_where_it_is_used(dinum) -> None:
    _, _, positioning, out = dinum
    widened = positioning.closed.filter(pl.col("level") == "kind")
    assert widened.height > 0, "600 respondents: some kind × size groups are under 5"
    code = widened["code"][0]
    links = pl.read_csv(out / LINKS_FILE, schema_overrides={"code": pl.String})
    html = (out / links.filter(pl.col("code") == code)["fichier"][0]).read_text(encoding="utf-8")
    person = positioning.people.filter(pl.col("code") == code).row(0, named=True)
    kind = {"commune": "communes", "epci_CC": "communautés de communes"}.get(
        person["kind_detail"], ""
    )
    assert "groupe élargi" in html
    if kind:
        assert f"<strong>{kind}, toutes tailles</strong>" in html


def test_maturity_reports_lead_with_the_index_level_and_a_legend(
    ey_results, editions, tmp_path
) -> None:
    answers = edition_answers(editions[EY])
    out, count = positioning_reports(ey_results, answers, tmp_path / "prive", secret="s")
    assert count == ey_results.respondents.height
    links = pl.read_csv(out / LINKS_FILE, schema_overrides={"code": pl.String})
    html = (out / links["fichier"][0]).read_text(encoding="utf-8")
    top = html.index("Votre indice global de maturité")
    assert top < html.index("Vos pairs et comment lire ce rapport")
    assert html.index('class="value"') > top and "Niveau «\u00a0<strong>" in html
    level = re.search("Niveau «\u00a0<strong>([^<]+)</strong>", html).group(1)
    assert level in EY2019.names  # the template's five named stages
    for key in ("votre score", "médiane de vos pairs", "moitié centrale de vos pairs"):
        assert key in html
    assert 'class="med l' in html and 'class="iqr l' in html and 'class="you l' in html
    assert "Recommandation : viser le niveau" in html or "niveau le plus élevé" in html
    assert 'class="levels"' in html  # maturity items: one table per scale


def test_ties_do_not_push_scores_into_the_top_quarter(ey_results, editions) -> None:
    positioning = build_positioning(
        ey_results.questionnaire,
        ey_results.respondents,
        edition_answers(editions[EY]),
        ey_results.maturity,
    )
    scores = positioning.scores.filter(pl.col("quarter").is_not_null())
    top = scores.filter(pl.col("quarter") == 4)
    assert (top["score"] > top["peer_q3"]).all()
    on_q3 = scores.filter(pl.col("score") == pl.col("peer_q3"))
    assert (on_q3["quarter"] <= 3).all()
    assert top.height / scores.height < 0.3
    assert np.isin(scores["quarter"].to_numpy(), [0, 1, 2, 3, 4]).all()


def test_a_three_respondent_edition_shows_nothing_about_peers(make_demo, tmp_path: Path) -> None:
    folder = make_demo(tmp_path / "trois", EY, 3)
    results = compute_results(folder)
    out, count = positioning_reports(
        results, edition_answers(folder), tmp_path / "prive", secret="s"
    )
    assert count == 3
    for path in out.glob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert "ce rapport ne montre rien sur vos pairs" in html
        assert 'class="gauge"' not in html and "Part de vos pairs" not in html
        assert "médiane" not in html.split("Vos pairs et comment lire")[1].split("</section>")[1]


def test_the_private_folder_is_replaced_whole_and_never_a_foreign_one(
    ey_results, editions, tmp_path
) -> None:
    answers = edition_answers(editions[EY])
    out = tmp_path / "prive"
    positioning_reports(ey_results, answers, out)  # secret drawn and kept in secret.txt
    secret = (out / "secret.txt").read_text(encoding="utf-8")
    (out / "vieux.html").write_text("ancien", encoding="utf-8")
    positioning_reports(ey_results, answers, out)
    assert (out / "secret.txt").read_text(encoding="utf-8") == secret
    assert not (out / "vieux.html").exists()  # the previous run's files are gone, whole
    assert not list(tmp_path.glob(".prive*"))
    foreign = tmp_path / "documents"
    foreign.mkdir()
    (foreign / "note.txt").write_text("à garder", encoding="utf-8")
    with pytest.raises(ValueError, match="n'est pas un dossier de rapports de positionnement"):
        positioning_reports(ey_results, answers, foreign, secret="s")
    assert (foreign / "note.txt").read_text(encoding="utf-8") == "à garder"
