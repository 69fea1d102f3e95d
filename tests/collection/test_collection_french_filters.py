"""The back office's template filters render register codes and numbers in French."""

from __future__ import annotations

from django.template import Context, Template

NNBSP = "\u202f"


def render(text: str, **context) -> str:
    return Template("{% load french %}" + text).render(Context(context))


def test_filters_label_codes_and_format_numbers() -> None:
    assert render("{{ k|kind_label }}", k="epci_CA") == "Communauté d&#x27;agglomération"
    assert render("{{ k|kind_label_plural }}", k="commune") == "Communes"
    assert render("{{ r|region_label }}", r="53") == "Bretagne"
    assert render("{{ d|departement_label }}", d="29") == "Finistère (29)"
    assert render("{{ n|fr_count }}", n=36343) == f"36{NNBSP}343"
    assert render("{{ s|fr_percent }}", s=0.48) == f"48{NNBSP}%"
    assert render("{{ s|fr_percent:1 }}", s=0.125) == f"12,5{NNBSP}%"
    assert render("{{ s|fr_percent }}", s=0.001) == f"&lt;{NNBSP}1{NNBSP}%"
    assert render("{{ s|fr_percent }}", s=0) == f"0{NNBSP}%"
    assert render("{{ c|size_class_label }}", c="de 2 000 à 3 499 hab.") == (
        f"de 2{NNBSP}000 à 3{NNBSP}499 hab."
    )
