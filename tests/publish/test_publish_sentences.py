"""Every key figure of every shipped template reads as a French sentence, in the report, the PDF
synthèse and the dashboard; a census shows no interval and says « recensement »."""

from __future__ import annotations

import html
import re
import subprocess

import pytest
from django.urls import reverse

from barometre.publish.key_figures import all_figures, front_page
from barometre.publish.pages import _evolution_lookup
from barometre.publish.sentences import is_fallback, sentence_problem
from barometre.publish.site import write_pdf, write_site
from barometre.publish.themes import get_theme
from barometre.publish.wording import is_census
from barometre.results.store import compute_results, save_results

TEMPLATES = [
    "dinum-collectivites-numerique-2024",
    "ey-france-urbaine-maturite",
    "jvs-petites-communes-dematerialisation",
    "nouvelle-caledonie-services-publics",
]
NC = "nouvelle-caledonie-services-publics"


@pytest.fixture(scope="module")
def published(editions, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple]:
    """Each template's results, site and PDF synthèse, in one folder the dashboard reads."""
    root = tmp_path_factory.mktemp("publies")
    out = {}
    for name in TEMPLATES:
        results = compute_results(editions[name])
        site = root / name
        write_site(results, site, get_theme("neutral"))
        save_results(results, site / "resultats")
        pdf, _ = write_pdf(site, annex=False)
        out[name] = (results, site, pdf)
    return out


def _text(markup: str) -> str:
    """Visible text of an HTML page, whitespace runs as one space (no-break spaces kept)."""
    markup = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", markup, flags=re.S)
    markup = re.sub(r'<[^>]*aria-hidden="true"[^>]*>.*?</(span|svg)>', " ", markup, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", markup))
    return re.sub(r"[ \t\r\n]+", " ", text)


def _loose(text: str) -> str:
    """The text without any space: PDF text extraction loses or keeps the narrow no-break spaces
    (« 22 % », « 36 343 ») depending on the poppler version, and breaks lines anywhere."""
    return re.sub(r"\s+", "", text.replace("\u202f", " ").replace("\u00a0", " "))


def _expected(figure: dict) -> list[str]:
    """What a reader must find for a figure: its sentence, or the ranking lead and its item."""
    if figure["suppressed"]:
        return [f"{figure['label']} : valeur non publiée."]
    if "rank" in figure:
        lead = figure["lead"][:-1] + " :" if figure["lead"].endswith(",") else figure["lead"]
        return [lead, f"{figure['value']} {figure['rest']}"]
    return [figure["text"]]


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_key_figure_is_a_sentence_in_report_and_pdf(published, name: str) -> None:
    results, site, pdf = published[name]
    figures = all_figures(front_page(results, _evolution_lookup(results)))
    assert len(figures) >= 10
    population = results.questionnaire.population
    for figure in figures:
        if figure["suppressed"]:
            continue
        problem = sentence_problem(figure["text"], population)
        assert problem is None, f"{figure['id']}: « {figure['text']} » — {problem}"
        assert not is_fallback(figure["text"]), f"{figure['id']} has no statement"
    page = _text((site / "index.html").read_text(encoding="utf-8"))
    printed = _loose(
        subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True).stdout
    )
    for figure in figures:
        for part in _expected(figure):
            assert part in page, f"{figure['id']}: « {part} » not on the front page"
            assert _loose(part) in printed, f"{figure['id']}: « {part} » not in the PDF"
    # the old labels that were not sentences are gone
    for bad in ("des collectivités Accompagnement", "(Oui)", "#1 Recherche", "+1 point"):
        assert bad not in page


@pytest.mark.django_db
@pytest.mark.parametrize("name", TEMPLATES)
def test_every_key_figure_is_a_sentence_in_the_dashboard(published, client, settings, name):
    results, site, _ = published[name]
    settings.BAROMETRE_REPORTS_DIR = str(site.parent)
    page = _text(client.get(reverse("dashboard:overview", args=[name])).content.decode())
    for figure in all_figures(front_page(results, _evolution_lookup(results))):
        for part in _expected(figure):
            assert part in page, f"{figure['id']}: « {part} » not in the dashboard"


def test_census_shows_no_interval_and_says_recensement(published) -> None:
    results, site, pdf = published[NC]
    assert is_census(results.diagnostics)  # 34 of 34 services answered
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "±" not in index and "Intervalle de confiance à 95\u202f% : de" not in index
    assert "recensement" in index
    assert "34 services publics" in index and "des services publics" in index
    assert "collectivités" not in _text(index).split("Initiatives numériques")[0]
    for page in site.glob("theme-*.html"):
        text = page.read_text(encoding="utf-8")
        assert "±" not in text and "sans objet (recensement)" in text
        assert 'class="ci"' not in text  # no whisker drawn
    method = (site / "methodologie.html").read_text(encoding="utf-8")
    assert "Recensement" in method
    printed = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True
    ).stdout
    assert "recensement" in printed and "IC à 95" not in printed


@pytest.mark.parametrize("name", TEMPLATES)
def test_intervals_stay_within_zero_and_hundred_and_are_never_empty(published, name) -> None:
    _, site, _ = published[name]
    for page in [site / "index.html", *site.glob("theme-*.html"), site / "maturite.html"]:
        if not page.exists():
            continue
        text = page.read_text(encoding="utf-8")
        for low, high in re.findall(r"de (\d+)\u202f% à (\d+)\u202f%", text):
            assert 0 <= int(low) <= int(high) <= 100, page.name
        cells = re.findall(
            r"<tr><th scope=\"row\">[^<]*</th><td class=\"num\">([^<]*)</td>"
            r"<td class=\"num\">([^<]*)</td>",
            text,
        )
        for value, interval in cells:
            assert interval.strip() or value in ("masqué", "–"), page.name


def test_too_imprecise_figures_are_flagged_by_the_rule(published) -> None:
    from barometre.publish.wording import TOO_WIDE, too_imprecise

    results, site, _ = published["ey-france-urbaine-maturite"]
    figures = all_figures(front_page(results, _evolution_lookup(results)))
    wide = [f for f in figures if f["too_imprecise"]]
    for figure in wide:
        row = figure["row"]
        assert row["ci_high"] - row["ci_low"] > TOO_WIDE and too_imprecise(row)
    index = (site / "index.html").read_text(encoding="utf-8")
    assert index.count("Trop imprécis pour être interprété") == sum(
        1 for f in wide if "rank" not in f
    )


def test_seed_pages_read_in_their_population(published) -> None:
    _, jvs, _ = published["jvs-petites-communes-dematerialisation"]
    text = _text((jvs / "index.html").read_text(encoding="utf-8"))
    assert "des communes" in text and "communes répondantes" in text
    assert "Parmi les" in text and "communes de moins de 1\u202f000 habitants" in text


def test_a_user_questionnaire_without_statements_gets_a_readable_fallback(published) -> None:
    from dataclasses import replace

    results, _, _ = published["dinum-collectivites-numerique-2024"]
    bare = replace(
        results.questionnaire,
        themes=tuple(
            replace(
                t,
                questions=tuple(
                    replace(
                        q, statement="", choices=tuple(replace(c, statement="") for c in q.choices)
                    )
                    for q in t.questions
                ),
            )
            for t in results.questionnaire.themes
        ),
    )
    stripped = replace(results, questionnaire=bare, meta=results.meta | {"template": None})
    figures = all_figures(front_page(stripped, {}))
    assert figures  # highlights computed from the estimates table
    for figure in figures:
        if figure["suppressed"]:
            continue
        assert sentence_problem(figure["text"], bare.population) is None, figure["text"]
    assert any(is_fallback(f["text"]) for f in figures)
    example = next(f for f in figures if f["question"] == "inc_actions_types")
    assert "qui proposent des actions de médiation" not in example["text"]  # no statement to say it
    assert "à qui la question a été posée" in example["text"]


@pytest.mark.parametrize("name", TEMPLATES)
def test_each_theme_names_its_wave_when_the_survey_has_several(published, name: str) -> None:
    results, site, _ = published[name]
    page = _text((site / "index.html").read_text(encoding="utf-8"))
    several = len(results.questionnaire.waves or []) > 1
    assert ("Questions posées lors de la vague 1 (sur 2) de l'enquête." in page) == several
    if several:
        theme = next(t for t in results.questionnaire.themes if t.wave == "vague2")
        themed = _text((site / f"theme-{theme.id}.html").read_text(encoding="utf-8"))
        assert "Questions posées lors de la vague 2 (sur 2) de l'enquête." in themed


RAW = re.compile(
    r"\b(?:yes_no|single_choice|multiple_choice|kind_detail|size_class|region_group|None|nan)\b"
    r"|\$\{|\w\*\w"
)


@pytest.mark.parametrize("name", TEMPLATES)
def test_no_internal_code_on_any_page_of_the_site(published, name: str) -> None:
    _, site, _ = published[name]
    pages = sorted(site.glob("*.html"))
    assert {"index.html", "methodologie.html"} <= {p.name for p in pages}
    for page in pages:
        text = _text(page.read_text(encoding="utf-8"))
        found = RAW.search(text)
        assert found is None, (
            f"{page.name}: « {text[max(0, found.start() - 80) : found.end() + 40]} »"
        )
