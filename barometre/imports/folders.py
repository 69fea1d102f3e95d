"""Import into an edition folder (`barometre import --dossier`): the same engine, all or nothing.

The folder's `responses.csv` gets the new rows (after the rule for collectivités that already
answered), written atomically with `barometre.edition.files.write_edition`; a folder that does not
exist yet is created with the questionnaire given (YAML, XLSForm or LimeSurvey `.lss`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from barometre.edition.files import (
    EDITION_FILE,
    FIXED_COLUMNS,
    OUT_OF_FRAME_COLUMNS,
    QUESTIONNAIRE_FILE,
    RESPONSES_FILE,
    TIMESTAMP_FORMAT,
    read_text_csv,
    write_edition,
)
from barometre.imports.columns import LINE
from barometre.imports.engine import ImportOptions, existing_decisions, prepare_import
from barometre.imports.report import ImportReport
from barometre.questionnaire.model import Questionnaire
from barometre.questionnaire.yaml_format import dump_questionnaire
from barometre.register.frame import Register

SOURCE_LABELS = {"limesurvey": "import LimeSurvey", "kobo": "import KoboToolbox/ODK"}


def _existing(raw: pl.DataFrame) -> pl.DataFrame:
    """Responses already in the folder, described in French for the report."""
    if raw.height == 0:
        return pl.DataFrame(
            schema={
                "code": pl.String,
                "response_id": pl.String,
                "status": pl.String,
                "source": pl.String,
                "when": pl.String,
            }
        )
    return raw.select(
        pl.col("code"),
        pl.col("response_id"),
        pl.col("status").replace({"complete": "complète", "partial": "partielle"}),
        pl.lit("dossier d'édition").alias("source"),
        pl.col("submitted_at").str.slice(0, 10).alias("when"),
    )


def _rows(prepared: pl.DataFrame, question_ids: list[str], stamp: str) -> pl.DataFrame:
    """Checked rows in the columns of `responses.csv` (text)."""
    outside = prepared.get_column("out_of_frame") if "out_of_frame" in prepared.columns else None
    rows = prepared.select(
        pl.format("imp-{}-{}", pl.lit(stamp), pl.col(LINE)).alias("response_id"),
        pl.col("code"),
        pl.col("submitted_at")
        .dt.strftime(TIMESTAMP_FORMAT)
        .fill_null(datetime.now(UTC).strftime(TIMESTAMP_FORMAT)),
        pl.col("status"),
        pl.col("respondent_role").fill_null(""),
        *[pl.col(q).cast(pl.String) for q in question_ids],
    )
    if outside is not None and outside.any():
        rows = rows.with_columns(
            pl.when(outside).then(pl.lit("1")).otherwise(pl.lit("")).alias("out_of_frame"),
            pl.when(outside)
            .then(prepared.get_column("respondent_name"))
            .otherwise(pl.lit(""))
            .alias("respondent_name"),
        )
    return rows


def import_into_folder(
    folder: Path,
    content: bytes,
    file_name: str,
    options: ImportOptions,
    register: Register,
    questionnaire: Questionnaire | None = None,
    questionnaire_text: str | None = None,
) -> ImportReport:
    """Import one file into an edition folder (created when absent), all or nothing."""
    folder = Path(folder)
    meta: dict[str, Any]
    if (folder / EDITION_FILE).is_file():
        from barometre.questionnaire.yaml_format import loads_questionnaire

        text = (folder / QUESTIONNAIRE_FILE).read_text(encoding="utf-8")
        questionnaire = loads_questionnaire(text, QUESTIONNAIRE_FILE)
        meta = yaml.safe_load((folder / EDITION_FILE).read_text(encoding="utf-8")) or {}
        raw = (
            read_text_csv(folder / RESPONSES_FILE)
            if (folder / RESPONSES_FILE).is_file()
            else pl.DataFrame(schema={c: pl.String for c in FIXED_COLUMNS})
        )
    else:
        if questionnaire is None:
            raise ValueError(
                f"le dossier {folder} n'est pas une édition : donnez le questionnaire "
                "(--questionnaire ou --structure) pour le créer"
            )
        text = questionnaire_text or dump_questionnaire(questionnaire)
        meta = {
            "id": folder.name,
            "title": questionnaire.title,
            "year": datetime.now(UTC).year,
            "register": {
                "source": register.source.get("package"),
                "version": register.source.get("version"),
                "vintage": register.vintage,
            },
        }
        raw = pl.DataFrame(schema={c: pl.String for c in FIXED_COLUMNS})
    prepared = prepare_import(content, file_name, questionnaire, options, register)
    report = prepared.report
    report.destination = str(folder)
    if report.problems:
        return report
    id_label = next((c.column for c in report.columns if c.target == "identifier"), "code")
    kept, replaced, problems, notes = existing_decisions(
        prepared.responses, _existing(raw), options.on_existing, id_label
    )
    report.existing = notes
    if problems:
        report.problems = problems
        return report
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    new = _rows(kept, prepared.question_ids, stamp)
    remaining = raw.filter(~pl.col("response_id").is_in(list(replaced)))
    columns = [*FIXED_COLUMNS]
    if any(c in remaining.columns or c in new.columns for c in OUT_OF_FRAME_COLUMNS):
        columns += list(OUT_OF_FRAME_COLUMNS)
    columns += [q.id for q in questionnaire.questions]
    frames = [
        frame.with_columns(
            pl.lit(None, pl.String).alias(c) for c in columns if c not in frame.columns
        ).select(columns)
        for frame in (remaining.cast(pl.String), new)
    ]
    responses = pl.concat(frames)
    meta.setdefault("imports", []).append(
        {
            "file": file_name,
            "source": options.source,
            "rows": new.height,
            "replaced": len(replaced),
            "at": datetime.now(UTC).strftime(TIMESTAMP_FORMAT),
        }
    )
    attributes = None
    if (folder / "frame_attributes.csv").is_file():
        attributes = pl.read_csv(folder / "frame_attributes.csv", infer_schema=False)
    write_edition(
        folder,
        meta=meta,
        questionnaire_text=text,
        responses=responses,
        frame_attributes=attributes,
    )
    report.batch_id = 0
    report.rows_stored = new.height
    return report
