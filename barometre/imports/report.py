"""The French report of an import: what was read, how each column and identifier was used, what was
refused (line and column named) and what was stored, replaced or kept."""

from __future__ import annotations

from dataclasses import dataclass, field

from barometre.imports.columns import ColumnUse
from barometre.imports.problems import Problem

SOURCE_LABELS = {
    "limesurvey": "LimeSurvey",
    "kobo": "KoboToolbox / ODK",
    "mapped": "CSV ou classeur avec correspondance",
}
EXISTING_RULES = {
    "refuse": "refuser l'import si une collectivité a déjà répondu",
    "replace": "remplacer la réponse existante",
    "keep": "conserver la réponse existante et ignorer la ligne",
}


@dataclass(frozen=True)
class LineNote:
    """A line imported in a way worth reading: identifier rule, existing response, out of frame."""

    line: int
    text: str

    def __str__(self) -> str:
        return f"ligne {self.line} : {self.text}"


@dataclass
class ImportReport:
    """Outcome of an import; nothing is stored unless `problems` is empty (all or nothing)."""

    source: str
    file_name: str
    rows_read: int = 0
    rows_stored: int = 0
    encoding: str = ""
    separator: str = ""
    on_existing: str = "refuse"
    columns: list[ColumnUse] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    identifiers: list[LineNote] = field(default_factory=list)
    existing: list[LineNote] = field(default_factory=list)
    out_of_frame: list[LineNote] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    batch_id: int | None = None
    destination: str = ""

    @property
    def ok(self) -> bool:
        """True when the import was stored."""
        return not self.problems and self.batch_id is not None

    @property
    def rejected(self) -> list[Problem]:
        """The problems (name kept for callers of the first version)."""
        return self.problems

    def columns_of(self, use: str) -> list[ColumnUse]:
        """Columns with this use (question, meta, ignored, unknown)."""
        return [c for c in self.columns if c.use == use]

    @property
    def columns_of_question(self) -> list[ColumnUse]:
        """Columns used for questions (for templates)."""
        return self.columns_of("question")

    @property
    def source_label(self) -> str:
        """The source format in French."""
        return SOURCE_LABELS.get(self.source, self.source)

    def summary(self) -> str:
        """One French sentence: lines read and what became of them."""
        head = f"Import « {self.file_name} » ({self.source_label}) : {self.rows_read} ligne(s) lue(s), "
        if self.ok:
            text = head + f"{self.rows_stored} réponse(s) importée(s)"
            kept = [n for n in self.existing if "conservée" in n.text]
            if kept:
                text += f", {len(kept)} ligne(s) ignorée(s) (réponse existante conservée)"
            return text + "."
        return head + "aucune réponse importée (l'import est tout ou rien)."

    def text(self, limit: int = 200) -> str:
        """The whole report in French, one item a line."""
        lines = [self.summary()]
        if self.encoding:
            lines.append(
                f"Fichier lu en {self.encoding}"
                + (f", séparateur {self.separator}" if self.separator else "")
                + "."
            )
        if self.problems:
            lines.append(f"Refus ({len(self.problems)}) :")
            lines += [f"- {p}" for p in self.problems[:limit]]
            if len(self.problems) > limit:
                lines.append(f"- … et {len(self.problems) - limit} autre(s)")
        used = self.columns_of("question")
        if self.columns:
            lines.append(
                f"Colonnes : {len(used)} utilisée(s) pour des questions, "
                f"{len(self.columns_of('meta'))} de métadonnées, "
                f"{len(self.columns_of('ignored'))} ignorée(s), "
                f"{len(self.columns_of('unknown'))} inconnue(s)."
            )
            for use, title in (("ignored", "Ignorées"), ("unknown", "Inconnues")):
                listed = self.columns_of(use)
                if listed:
                    lines.append(f"{title} :")
                    lines += [f"- {c}" for c in listed]
        for title, notes in (
            ("Identifiants reconnus autrement que par leur code exact", self.identifiers),
            ("Hors base de sondage", self.out_of_frame),
            (f"Réponses existantes (règle : {EXISTING_RULES[self.on_existing]})", self.existing),
        ):
            if notes:
                lines.append(f"{title} :")
                lines += [f"- {n}" for n in notes[:limit]]
        lines += self.notes
        return "\n".join(lines)
