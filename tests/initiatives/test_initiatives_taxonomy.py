"""The operator's taxonomy: the shipped default and validation of custom YAML files."""

from __future__ import annotations

import pytest

from barometre.initiatives.taxonomy import TaxonomyError, default_taxonomy, load_taxonomy


def test_default_taxonomy_has_the_issue_domains():
    assert default_taxonomy().ids == [
        "inclusion",
        "communication",
        "culture",
        "education",
        "administration",
        "participation",
        "autre",
    ]


def test_labels_and_ids_are_both_accepted():
    lookup = default_taxonomy().lookup()
    assert lookup["education et ecoles"] == "education"
    assert lookup["culture"] == "culture"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("domains: [{id: a, label: A}]", "au moins deux domaines"),
        ("domains: [{id: a, label: A}, {id: a, label: B}]", "domaine n° 2, champ « id »"),
        ("domains: [{id: a, label: A}, {id: 'B C', label: B}]", "« B C » invalide"),
        ("domains: [{id: a, label: A}, {id: b}]", r"domaine n° 2 \(b\), champ « label »"),
        ("domains: [a, b]", "domaine n° 1"),
        ("domains: [", "YAML illisible"),
    ],
)
def test_invalid_taxonomies_are_rejected_in_french(tmp_path, text, message):
    path = tmp_path / "taxonomie.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TaxonomyError, match=message):
        load_taxonomy(path)


def test_custom_taxonomy_is_read(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(
        "id: sante\ndomains:\n  - {id: teleconsultation, label: Téléconsultation}\n"
        "  - {id: prevention, label: Prévention, description: Campagnes}\n",
        encoding="utf-8",
    )
    taxonomy = load_taxonomy(path)
    assert taxonomy.ids == ["teleconsultation", "prevention"]
    assert taxonomy.label_of("prevention") == "Prévention"
