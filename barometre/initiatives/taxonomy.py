"""The operator's taxonomy of initiative domains (YAML), with the shipped default."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_TAXONOMY_FILE = DATA_DIR / "taxonomie.yaml"
DOMAIN_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class TaxonomyError(ValueError):
    """The taxonomy file is invalid; the message (French) names the entry and the field."""


@dataclass(frozen=True)
class Domain:
    """One domain of initiatives: stable id, French label and description."""

    id: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class Taxonomy:
    """An ordered set of domains."""

    id: str
    label: str
    domains: tuple[Domain, ...]

    @property
    def ids(self) -> list[str]:
        """Domain ids in the taxonomy's order."""
        return [d.id for d in self.domains]

    def label_of(self, domain_id: str) -> str:
        """French label of a domain id (the id itself when unknown)."""
        return next((d.label for d in self.domains if d.id == domain_id), domain_id)

    def lookup(self) -> dict[str, str]:
        """Folded id or label → domain id, to accept either in imported files."""
        table = {fold(d.id): d.id for d in self.domains}
        table.update({fold(d.label): d.id for d in self.domains})
        return table


def fold(text: str) -> str:
    """Lower-case, accent-free, trimmed form used to match labels."""
    decomposed = unicodedata.normalize("NFKD", text.strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _domain(entry: object, position: int) -> Domain:
    """Validate one `domains` entry (French errors naming the entry and field)."""
    where = f"domaine n° {position}"
    if not isinstance(entry, dict):
        raise TaxonomyError(f"{where} : une table id/label/description est attendue")
    domain_id = str(entry.get("id") or "").strip()
    if not domain_id:
        raise TaxonomyError(f"{where}, champ « id » : identifiant manquant")
    if not DOMAIN_ID.match(domain_id):
        raise TaxonomyError(
            f"{where}, champ « id » : « {domain_id} » invalide (minuscules, chiffres, - et _)"
        )
    label = str(entry.get("label") or "").strip()
    if not label:
        raise TaxonomyError(f"{where} ({domain_id}), champ « label » : libellé manquant")
    return Domain(domain_id, label, str(entry.get("description") or "").strip())


def parse_taxonomy(data: object, source: str = "taxonomie") -> Taxonomy:
    """Build a taxonomy from parsed YAML; raise TaxonomyError (French) when invalid."""
    if not isinstance(data, dict):
        raise TaxonomyError(f"{source} : une table avec id, label et domains est attendue")
    entries = data.get("domains")
    if not isinstance(entries, list) or len(entries) < 2:
        raise TaxonomyError(f"{source}, champ « domains » : au moins deux domaines sont attendus")
    domains = tuple(_domain(e, i) for i, e in enumerate(entries, start=1))
    seen: set[str] = set()
    for i, d in enumerate(domains, start=1):
        if d.id in seen:
            raise TaxonomyError(f"domaine n° {i}, champ « id » : « {d.id} » apparaît deux fois")
        seen.add(d.id)
    return Taxonomy(
        id=str(data.get("id") or "taxonomie"),
        label=str(data.get("label") or "Domaines des initiatives"),
        domains=domains,
    )


def load_taxonomy(path: Path | str | None = None) -> Taxonomy:
    """Read a taxonomy YAML file; the shipped default when `path` is None."""
    file = Path(path) if path is not None else DEFAULT_TAXONOMY_FILE
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise TaxonomyError(f"fichier de taxonomie introuvable : {file}") from exc
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"{file.name} : YAML illisible ({exc})") from exc
    return parse_taxonomy(data, file.name)


def default_taxonomy() -> Taxonomy:
    """The shipped taxonomy (inclusion, communication, culture, education, administration, …)."""
    return load_taxonomy(None)
