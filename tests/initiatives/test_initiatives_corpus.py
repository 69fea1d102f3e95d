"""Corpus import: real register codes, errors named by line and field, nothing half-imported."""

from __future__ import annotations

import polars as pl
import pytest
from openpyxl import Workbook

from barometre.initiatives.corpus import (
    CorpusImportError,
    import_corpus,
    read_corpus,
    write_corpus,
)
from barometre.initiatives.taxonomy import default_taxonomy


def test_shipped_corpus_is_large_varied_and_linked_to_the_register(corpus, register, taxonomy):
    assert corpus.height >= 400
    assert set(corpus.get_column("domain").unique()) == set(taxonomy.ids)
    shares = corpus.get_column("domain").value_counts(normalize=True)
    share = dict(shares.iter_rows())
    assert share["inclusion"] > 0.2  # the largest domain, as in the 2016 barometer
    assert max(share, key=share.get) == "inclusion"
    sizes = register.lookup(corpus.get_column("code").unique()).get_column("population")
    assert sizes.min() < 500 and sizes.max() > 100_000
    assert corpus.get_column("id").n_unique() == corpus.height
    assert corpus.get_column("title").n_unique() > 0.95 * corpus.height


def test_bad_rows_are_reported_line_by_line_and_nothing_is_returned(tmp_path, register):
    path = tmp_path / "corpus.csv"
    path.write_text(
        "code;titre;description;annee;domaine\n"
        "69123;Wifi public;Des bornes wifi dans les parcs.;2022;inclusion\n"
        "99999;Site internet;Nouveau site.;2021;\n"
        "35238;;;2020;culture\n"
        "59350;Budget participatif;Vote en ligne.;deux mille;participation\n"
        "31555;Capteurs;Capteurs de bruit.;2023;ville-intelligente\n"
        "69123;Wifi public;Des bornes wifi dans les parcs.;2022;inclusion\n",
        encoding="utf-8",
    )
    result = import_corpus(path, register)
    assert result.corpus is None
    rows = {(e.line, e.field, e.type) for e in result.errors}
    assert rows == {
        (3, "code", "code-inconnu"),
        (4, "titre", "texte-vide"),
        (5, "annee", "type-entier"),
        (6, "domaine", "domaine-inconnu"),
        (7, "titre", "initiative-en-double"),
    }
    messages = result.errors_table().get_column("message").to_list()
    assert any("99999" in m for m in messages)
    assert any("ville-intelligente" in m and "inclusion" in m for m in messages)
    with pytest.raises(CorpusImportError, match="ligne 3, champ « code »"):
        read_corpus(path, register)


def test_missing_columns_are_named(tmp_path, register):
    path = tmp_path / "corpus.csv"
    path.write_text("collectivite,description\nLyon,Un texte.\n", encoding="utf-8")
    errors = import_corpus(path, register).errors
    assert [(e.line, e.field, e.type) for e in errors] == [
        (1, "code", "colonne-manquante"),
        (1, "titre", "colonne-manquante"),
    ]


def test_xlsx_with_labels_sirens_and_optional_columns(tmp_path, register, taxonomy):
    book = Workbook()
    sheet = book.active
    sheet.append(["Code", "Titre", "Description", "Année", "Domaine"])
    sheet.append(
        [
            "69123",
            "Médiathèque en ligne",
            "Catalogue et réservations.",
            2024,
            "Culture et patrimoine",
        ]
    )
    sheet.append(["216901231", "Conseil retransmis", "", None, "PARTICIPATION"])
    sheet.append(["2A004", "Écoles équipées", "Tablettes.", 2019, None])
    path = tmp_path / "corpus.xlsx"
    book.save(path)
    corpus = read_corpus(path, register, taxonomy)
    assert corpus.get_column("code").to_list() == ["69123", "69123", "2A004"]
    assert corpus.get_column("domain").to_list() == ["culture", "participation", None]
    assert corpus.get_column("year").to_list() == [2024, None, 2019]
    assert corpus.get_column("line").to_list() == [2, 3, 4]


def test_written_corpus_reads_back_identically(tmp_path, corpus, register):
    path = write_corpus(corpus, tmp_path / "sortie" / "corpus.csv")
    again = read_corpus(path, register, default_taxonomy())
    assert again.drop("line").equals(corpus.drop("line"))
    assert not list(path.parent.glob(".*tmp"))


def test_ids_are_stable_content_hashes(tmp_path, register):
    text = "code,titre,description\n69123,Wifi,Bornes.\n35238,Site,Refonte.\n"
    (tmp_path / "a.csv").write_text(text, encoding="utf-8")
    reordered = "code,titre,description\n35238,Site,Refonte.\n69123,Wifi,Bornes.\n"
    (tmp_path / "b.csv").write_text(reordered, encoding="utf-8")
    a = read_corpus(tmp_path / "a.csv", register).sort("code")
    b = read_corpus(tmp_path / "b.csv", register).sort("code")
    assert a.get_column("id").to_list() == b.get_column("id").to_list()
    assert pl.Series(a.get_column("id")).str.len_chars().to_list() == [12, 12]
