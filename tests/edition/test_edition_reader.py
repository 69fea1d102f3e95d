"""Edition folders: written atomically, read back typed, and every bad input reported in French."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from barometre.edition.figures import load_figures
from barometre.edition.files import (
    EDITION_FILE,
    FRAME_ATTRIBUTES_FILE,
    RESPONSES_FILE,
    read_edition,
    write_edition,
)
from barometre.edition.problems import EditionError
from barometre.edition.simulate import simulate_edition
from barometre.questionnaire.templates_catalogue import load_template, template_text
from barometre.register import load_register

TEMPLATE = "jvs-petites-communes-dematerialisation"


@pytest.fixture(scope="module")
def simulated():
    figures = load_figures(TEMPLATE)
    return simulate_edition(
        load_template(TEMPLATE),
        list(figures.figures),
        load_register().entities,
        figures.demo,
        size=80,
        seed=11,
    )


@pytest.fixture
def edition_folder(tmp_path: Path, simulated) -> Path:
    return write_edition(
        tmp_path / "edition",
        meta={"id": "test-jvs", "title": "Test", "year": 2016, "template": TEMPLATE},
        questionnaire_text=template_text(TEMPLATE),
        responses=simulated.responses,
        frame_attributes=simulated.frame_attributes,
    )


def _rewrite(folder: Path, edit) -> None:
    """Apply `edit` to the text responses table and write it back."""
    path = folder / RESPONSES_FILE
    frame = pl.read_csv(path, infer_schema=False)
    edit(frame).write_csv(path)


def _problems(folder: Path) -> pl.DataFrame:
    with pytest.raises(EditionError) as caught:
        read_edition(folder)
    return caught.value.problems


def test_round_trip_gives_typed_frames(edition_folder: Path, simulated) -> None:
    edition = read_edition(edition_folder)
    assert edition.meta["id"] == "test-jvs"
    assert edition.questionnaire.id == "jvs-petites-communes-dematerialisation"
    assert edition.responses.height == simulated.responses.height
    assert edition.responses.schema["submitted_at"] == pl.Datetime("us")
    assert edition.responses.get_column("response_id").is_unique().all()
    assert edition.frame_attributes is not None
    assert edition.frame_attributes.height == load_register().entities.height
    consolidated = edition.consolidated()
    assert consolidated.get_column("code").is_unique().all()
    assert consolidated.height == simulated.sample.height


def test_reader_reports_each_bad_cell_with_line_and_column(edition_folder: Path) -> None:
    def corrupt(frame: pl.DataFrame) -> pl.DataFrame:
        row = pl.int_range(pl.len())
        return frame.with_columns(
            pl.when(row == 0).then(pl.lit("99999")).otherwise(pl.col("code")).alias("code"),
            pl.when(row == 2)
            .then(pl.col("response_id").first())
            .otherwise(pl.col("response_id"))
            .alias("response_id"),
            pl.when(row == 3)
            .then(pl.lit("peut-etre"))
            .otherwise(pl.col("pro_full_demat"))
            .alias("pro_full_demat"),
            pl.when(row == 4)
            .then(pl.lit("ged pes_retour tiers_teletransmission signature_electronique"))
            .otherwise(pl.col("pro_prioritaires"))
            .alias("pro_prioritaires"),
            pl.when(row == 5)
            .then(pl.lit("hier"))
            .otherwise(pl.col("submitted_at"))
            .alias("submitted_at"),
            pl.when(row == 6).then(pl.lit("fini")).otherwise(pl.col("status")).alias("status"),
        )

    _rewrite(edition_folder, corrupt)
    problems = _problems(edition_folder)
    found = {(row["line"], row["column"], row["type"]) for row in problems.iter_rows(named=True)}
    assert (2, "code", "unknown_register_code") in found
    assert (4, "response_id", "duplicate_response_id") in found
    assert (5, "pro_full_demat", "unknown_choice") in found
    assert (6, "pro_prioritaires", "too_many_choices") in found
    assert (7, "submitted_at", "invalid_datetime") in found
    assert (8, "status", "invalid_status") in found
    message = str(_problems_error(edition_folder))
    assert "responses.csv, ligne 2, colonne « code » : code « 99999 » absent du registre" in message
    assert "ligne 5, colonne « pro_full_demat » : réponse « peut-etre » inconnue" in message
    assert "4 modalités cochées pour 3 au plus" in message


def _problems_error(folder: Path) -> EditionError:
    with pytest.raises(EditionError) as caught:
        read_edition(folder)
    return caught.value


def test_numbers_out_of_range_are_reported(tmp_path: Path) -> None:
    name = "dinum-collectivites-numerique-2024"
    figures = load_figures(name)
    simulated = simulate_edition(
        load_template(name),
        list(figures.figures),
        load_register().entities,
        figures.demo,
        size=40,
        seed=5,
    )
    folder = write_edition(
        tmp_path / "dinum",
        meta={"id": "test-dinum"},
        questionnaire_text=template_text(name),
        responses=simulated.responses,
    )

    def corrupt(frame: pl.DataFrame) -> pl.DataFrame:
        row = pl.int_range(pl.len())
        return frame.with_columns(
            pl.when(row == 0)
            .then(pl.lit("150"))
            .otherwise(pl.col("cyb_budget_part"))
            .alias("cyb_budget_part"),
            pl.when(row == 1)
            .then(pl.lit("beaucoup"))
            .when(row == 2)
            .then(pl.lit("-3"))
            .otherwise(pl.col("ser_etp_numerique"))
            .alias("ser_etp_numerique"),
        )

    _rewrite(folder, corrupt)
    found = {(r["line"], r["column"], r["type"]) for r in _problems(folder).iter_rows(named=True)}
    assert (2, "cyb_budget_part", "out_of_range") in found
    assert (3, "ser_etp_numerique", "not_a_number") in found
    assert (4, "ser_etp_numerique", "constraint_violated") in found
    assert "entre 0 et 5 000" in str(_problems_error(folder))


def test_unknown_column_and_missing_files(edition_folder: Path) -> None:
    _rewrite(edition_folder, lambda frame: frame.with_columns(pl.lit("x").alias("q_inconnue")))
    problems = _problems(edition_folder)
    assert problems.filter(pl.col("type") == "unknown_column").get_column("column").to_list() == [
        "q_inconnue"
    ]
    (edition_folder / EDITION_FILE).unlink()
    (edition_folder / FRAME_ATTRIBUTES_FILE).write_text("code,opsn\n01001,1\n01001,0\nXX,1\n")
    problems = _problems(edition_folder)
    types = set(problems.get_column("type"))
    assert {"missing_file", "duplicate_code", "unknown_register_code"} <= types


def test_writing_never_clobbers_a_foreign_folder(tmp_path: Path, simulated) -> None:
    foreign = tmp_path / "documents"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("à garder")
    with pytest.raises(FileExistsError):
        write_edition(
            foreign,
            meta={"id": "x"},
            questionnaire_text=template_text(TEMPLATE),
            responses=simulated.responses,
        )
    assert [p.name for p in foreign.iterdir()] == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["documents"]


def test_rewriting_an_edition_replaces_it_whole(edition_folder: Path, simulated) -> None:
    write_edition(
        edition_folder,
        meta={"id": "second"},
        questionnaire_text=template_text(TEMPLATE),
        responses=simulated.responses.head(5),
    )
    assert not (edition_folder / FRAME_ATTRIBUTES_FILE).exists()
    edition = read_edition(edition_folder)
    assert edition.meta["id"] == "second" and edition.responses.height == 5
    assert sorted(p.name for p in edition_folder.parent.iterdir()) == ["edition"]


def test_unparseable_csv_is_reported_not_raised_raw(edition_folder: Path) -> None:
    (edition_folder / RESPONSES_FILE).write_text('response_id,code\n"R1,01001\n', encoding="utf-8")
    problems = _problems(edition_folder)
    assert problems.filter(pl.col("type") == "unreadable_file").get_column("file").to_list() == [
        RESPONSES_FILE
    ]


def test_formula_safe_cells_are_read_as_written_and_checked_as_such(tmp_path: Path) -> None:
    """Codes starting with - or = are written with a leading apostrophe (`spreadsheet_cells`):
    the reader restores them before the checks, in answer columns and fixed columns alike."""
    questionnaire = """
id: formules
title: Formules
version: "1"
edition: "2026"
themes:
  - id: t
    label: Thème
    questions:
      - id: canal
        type: single_choice
        label: Canal
        choices: [{code: "-oth-", label: Autre}, {code: web, label: Web}]
      - {id: note, type: text, label: Note}
"""
    responses = pl.DataFrame(
        {
            "response_id": ["=r1", "r2"],
            "code": ["29019", "35238"],
            "submitted_at": ["2026-03-01T10:00:00"] * 2,
            "status": ["complete"] * 2,
            "canal": ["-oth-", "web"],
            "note": ["+33 1 23", "ok"],
        }
    )
    folder = write_edition(
        tmp_path / "f", meta={"id": "f"}, questionnaire_text=questionnaire, responses=responses
    )
    assert "'-oth-" in (folder / "responses.csv").read_text(encoding="utf-8")
    read = read_edition(folder)
    assert read.responses["canal"].to_list() == ["-oth-", "web"]
    assert read.responses["response_id"].to_list() == ["=r1", "r2"]
    assert read.responses["note"].to_list() == ["+33 1 23", "ok"]
