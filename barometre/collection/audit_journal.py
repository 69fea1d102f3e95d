"""The audit journal as a person reads it: who did what to which campaign or account, in French.

`AuditLog` rows hold codes (`targets_added`, `Campaign` 3, a detail dict); this module turns a page
of them into sentences (« Ajout de 36 349 collectivités aux cibles de la campagne « … » »), with
the names of the campaigns, accounts, editions and collectivités read in a few bulk queries.
Every action the code base records has its wording here (a test checks it).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from barometre.collection.models import (
    Account,
    AuditLog,
    Campaign,
    Edition,
    ImportBatch,
    Invitation,
    Response,
    Wave,
)
from barometre.register.labels import (
    count,
    departement_label,
    entity_label,
    french_list,
    number,
    percent,
    region_label,
)
from barometre.register.spreadsheet_cells import neutralise

# action code → what the filter of the journal lists
ACTIONS: dict[str, str] = {
    "login": "Connexion",
    "logout": "Déconnexion",
    "login_failed": "Échec de connexion",
    "account_created": "Création d'un compte",
    "account_updated": "Modification d'un compte",
    "edition_created": "Création d'une édition",
    "campaign_created": "Création d'une campagne",
    "campaign_opened": "Ouverture d'une campagne",
    "campaign_closed": "Clôture d'une campagne",
    "campaign_dates": "Date de clôture d'une campagne",
    "wave_changed": "Modification d'une vague",
    "targets_added": "Ajout de cibles",
    "links_issued": "Création de liens privés",
    "invitations_sent": "Envoi des invitations",
    "reminders_sent": "Envoi des relances",
    "link_revoked": "Révocation d'un lien",
    "contacts_imported": "Import de courriels",
    "import": "Import de réponses",
    "export": "Export des réponses",
    "initiatives_correction": "Correction du classement des initiatives",
    "initiatives_retrain": "Réentraînement du classement des initiatives",
}
FORMATS = {"csv": "CSV", "xlsx": "XLSX", "parquet": "Parquet", "edition": "dossier d'édition"}
ROLES = dict(Account.Role.choices)
SOURCES = {
    Response.Source.WEB: "questionnaire en ligne",
    Response.Source.LIMESURVEY: "export LimeSurvey",
    Response.Source.KOBO: "export KoboToolbox ou ODK",
    Response.Source.MAPPED: "tableau CSV ou XLSX",
    Response.Source.EDITION: "dossier d'édition",
}
IMPORT_RULES = {
    "refuse": "refus des collectivités ayant déjà répondu",
    "replace": "remplacement des réponses existantes",
    "keep": "conservation des réponses existantes",
}
SYSTEM = "système"


@dataclass
class JournalEntry:
    """One line of the journal as shown: when, who, what (short), the sentence, the campaign."""

    at: datetime
    person: str
    action: str
    text: str
    campaign: str = ""


@dataclass
class Names:
    """Names of the objects a page of the journal mentions, read in bulk."""

    campaigns: dict[int, str] = field(default_factory=dict)
    accounts: dict[int, str] = field(default_factory=dict)
    editions: dict[int, str] = field(default_factory=dict)
    editions_by_slug: dict[str, str] = field(default_factory=dict)
    invitations: dict[int, tuple[str, int]] = field(default_factory=dict)
    batches: dict[int, int] = field(default_factory=dict)
    waves: dict[int, tuple[str, int]] = field(default_factory=dict)

    @classmethod
    def of(cls, logs: list[AuditLog]) -> Names:
        """Read every name the logs refer to: one query per kind of object."""
        ids: dict[str, set[int]] = {}
        slugs: set[str] = set()
        for log in logs:
            if log.object_type and log.object_id.isdigit():
                ids.setdefault(log.object_type, set()).add(int(log.object_id))
            if log.action == "campaign_created" and isinstance(log.detail, dict):
                slugs.add(str(log.detail.get("edition", "")))
        names = cls()
        names.accounts = dict(
            Account.objects.filter(pk__in=ids.get("Account", ())).values_list(
                "pk", "user__username"
            )
        )
        names.editions = dict(
            Edition.objects.filter(pk__in=ids.get("Edition", ())).values_list("pk", "title")
        )
        names.editions_by_slug = dict(
            Edition.objects.filter(slug__in=slugs).values_list("slug", "title")
        )
        names.invitations = {
            pk: (entity, campaign)
            for pk, entity, campaign in Invitation.objects.filter(
                pk__in=ids.get("Invitation", ())
            ).values_list("pk", "target__code", "target__campaign_id")
        }
        names.batches = dict(
            ImportBatch.objects.filter(pk__in=ids.get("ImportBatch", ())).values_list(
                "pk", "campaign_id"
            )
        )
        names.waves = {
            pk: (label, campaign)
            for pk, label, campaign in Wave.objects.filter(pk__in=ids.get("Wave", ())).values_list(
                "pk", "label", "campaign_id"
            )
        }
        campaign_ids = (
            ids.get("Campaign", set())
            | {c for _, c in names.invitations.values()}
            | set(names.batches.values())
            | {c for _, c in names.waves.values()}
        )
        names.campaigns = dict(
            Campaign.objects.filter(pk__in=campaign_ids).values_list("pk", "name")
        )
        return names

    def campaign(self, pk: int | None) -> str:
        """« Nom de la campagne » (or a mention that it was deleted)."""
        if pk is None:
            return ""
        name = self.campaigns.get(pk)
        return f"« {name} »" if name else "supprimée depuis"

    def campaign_of(self, log: AuditLog) -> int | None:
        """The campaign a log line is about, if any."""
        if not log.object_id.isdigit():
            return None
        pk = int(log.object_id)
        if log.object_type == "Campaign":
            return pk
        if log.object_type == "Invitation" and pk in self.invitations:
            return self.invitations[pk][1]
        if log.object_type == "ImportBatch":
            return self.batches.get(pk)
        if log.object_type == "Wave" and pk in self.waves:
            return self.waves[pk][1]
        return None


def _number_of(value: Any, singular: str, plural: str) -> str:
    """`1 collectivité`, `36 349 collectivités`."""
    n = int(value or 0)
    return f"{count(n)} {singular if n <= 1 else plural}"


def _moment(text: Any) -> str:
    """A stored date (ISO text) as « 12 mai 2026 à 18:00 » in local time."""
    from django.utils.formats import date_format

    moment = parse_datetime(str(text)) if text not in (None, "", "None") else None
    if moment is None:
        return ""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return date_format(timezone.localtime(moment), "j F Y à H:i")


ACCOUNT_FIELDS = {
    "email": "courriel",
    "role": "rôle",
    "scope_label": "libellé du périmètre",
    "scope_regions": "régions du périmètre",
    "scope_departements": "départements du périmètre",
    "scope_codes": "collectivités du périmètre",
}


def _account_change(name: str, values: Any) -> str:
    """One change of an account: « rôle : lecteur → analyste »."""
    if name == "is_active":
        after = values[1] if isinstance(values, (list, tuple)) and len(values) == 2 else values
        return "compte rouvert" if after else "compte fermé"
    if not isinstance(values, (list, tuple)) or len(values) != 2:
        return ACCOUNT_FIELDS.get(name, "autre réglage") + " modifié"
    before, after = values

    def shown(value: Any) -> str:
        if name == "role":
            return ROLES.get(str(value), str(value)).lower()
        if name == "scope_regions":
            return french_list(region_label(r) for r in value) or "aucune"
        if name == "scope_departements":
            return french_list(departement_label(d) for d in value) or "aucun"
        if name == "scope_codes":
            return _number_of(len(value), "collectivité", "collectivités") if value else "aucune"
        return f"« {value} »" if value else "vide"

    return f"{ACCOUNT_FIELDS.get(name, 'autre réglage')} : {shown(before)} → {shown(after)}"


Sentence = Callable[[AuditLog, Mapping[str, Any], Names], str]


def _account_name(log: AuditLog, names: Names) -> str:
    pk = int(log.object_id) if log.object_id.isdigit() else None
    name = names.accounts.get(pk) if pk is not None else None
    return f"« {name} »" if name else "supprimé depuis"


def _edition_created(log: AuditLog, d: Mapping[str, Any], names: Names) -> str:
    pk = int(log.object_id) if log.object_id.isdigit() else None
    title = names.editions.get(pk) if pk is not None else None
    origin = str(d.get("name") or "")
    source = str(d.get("source") or "")
    if source == Edition.Source.TEMPLATE:
        from barometre.collection.editions import template_choices

        origin = dict(template_choices()).get(origin, origin)
        how = f" d'après le modèle « {origin} »" if origin else ""
    elif source == Edition.Source.XLSFORM:
        how = f" d'après le classeur XLSForm « {origin} »" if origin else ""
    else:
        how = f" d'après le fichier « {origin} »" if origin else ""
    return f"Création de l'édition « {title or 'supprimée depuis'} »{how}."


def _campaign_dates(log: AuditLog, d: Mapping[str, Any], names: Names) -> str:
    campaign = names.campaign(names.campaign_of(log))
    when = _moment(d.get("closes_at"))
    if not when:
        return f"Date de clôture de la campagne {campaign} retirée."
    return f"Date de clôture de la campagne {campaign} fixée au {when}."


def _wave_changed(log: AuditLog, d: Mapping[str, Any], names: Names) -> str:
    pk = int(log.object_id) if log.object_id.isdigit() else None
    label, campaign_pk = names.waves.get(pk, ("supprimée depuis", None)) if pk else ("", None)
    themes = d.get("themes") or []
    titles = _theme_titles(campaign_pk)
    listed = french_list(titles.get(t, t) for t in themes) or "aucun"
    return (
        f"Modification de la vague « {label} » de la campagne {names.campaign(campaign_pk)} "
        f"(thèmes : {listed})."
    )


def _theme_titles(campaign_pk: int | None) -> dict[str, str]:
    """Theme id → label in the questionnaire of a campaign."""
    if campaign_pk is None:
        return {}
    campaign = Campaign.objects.select_related("edition").filter(pk=campaign_pk).first()
    if campaign is None:
        return {}
    return {t.id: t.label for t in campaign.edition.questionnaire.themes}


def _link_revoked(log: AuditLog, d: Mapping[str, Any], names: Names) -> str:
    pk = int(log.object_id) if log.object_id.isdigit() else None
    code, campaign_pk = names.invitations.get(pk, (str(d.get("code") or ""), None))
    return (
        f"Révocation du lien privé de {entity_label(code or d.get('code'))} "
        f"(campagne {names.campaign(campaign_pk)})."
    )


def _import(log: AuditLog, d: Mapping[str, Any], names: Names) -> str:
    campaign = names.campaign(names.campaign_of(log))
    source = SOURCES.get(str(d.get("source") or ""), "")
    text = (
        f"Import de {_number_of(d.get('rows'), 'réponse', 'réponses')} dans la campagne "
        f"{campaign}, fichier « {d.get('file') or 'sans nom'} »"
        + (f" ({source})" if source else "")
    )
    extras = []
    if d.get("replaced"):
        extras.append(f"{_number_of(d['replaced'], 'réponse remplacée', 'réponses remplacées')}")
    if d.get("kept_existing"):
        extras.append(
            _number_of(
                d["kept_existing"], "réponse existante gardée", "réponses existantes gardées"
            )
        )
    if d.get("rule") in IMPORT_RULES:
        extras.append(f"règle : {IMPORT_RULES[d['rule']]}")
    return text + (f" ; {' ; '.join(extras)}" if extras else "") + "."


def _export(log: AuditLog, d: Mapping[str, Any], names: Names) -> str:
    fmt = FORMATS.get(str(d.get("format") or ""), str(d.get("format") or "").upper())
    return (
        f"Export des réponses de la campagne {names.campaign(names.campaign_of(log))} "
        f"au format {fmt} ({_number_of(d.get('rows'), 'ligne', 'lignes')})."
    )


def _sent(log: AuditLog, d: Mapping[str, Any], names: Names) -> str:
    what = (
        ("relance", "relances") if log.action == "reminders_sent" else ("invitation", "invitations")
    )
    text = (
        f"Envoi de {_number_of(d.get('sent'), *what)} par courriel pour la campagne "
        f"{names.campaign(names.campaign_of(log))}"
    )
    missing = int(d.get("without_email") or 0)
    if missing:
        text += f" ; {_number_of(missing, 'collectivité', 'collectivités')} sans adresse"
    return text + "."


def _account_updated(log: AuditLog, d: Mapping[str, Any], names: Names) -> str:
    changes = d.get("changes") if isinstance(d.get("changes"), dict) else {}
    listed = " ; ".join(_account_change(k, v) for k, v in changes.items())
    return f"Modification du compte {_account_name(log, names)}" + (
        f" : {listed}." if listed else "."
    )


def _account_created(log: AuditLog, d: Mapping[str, Any], names: Names) -> str:
    role = ROLES.get(str(d.get("role") or ""), "")
    return f"Création du compte {_account_name(log, names)}" + (
        f" (rôle : {role.lower()})." if role else "."
    )


def _retrain(log: AuditLog, d: Mapping[str, Any], names: Names) -> str:
    text = (
        f"Réentraînement du classement des initiatives de l'édition « {d.get('edition', '')} » "
        f"sur {_number_of(d.get('examples'), 'exemple', 'exemples')}"
    )
    if d.get("accuracy") is not None:
        text += f" : exactitude {percent(float(d['accuracy']), 1)}"
        if d.get("macro_f1") is not None:
            text += f", F1 macro {number(float(d['macro_f1']), 3)}"
    return text + "."


SENTENCES: dict[str, Sentence] = {
    "login": lambda log, d, n: "Connexion à l'espace opérateur.",
    "logout": lambda log, d, n: "Déconnexion.",
    "login_failed": lambda log, d, n: (
        f"Échec de connexion avec l'identifiant « {d.get('username') or '(vide)'} »."
    ),
    "account_created": _account_created,
    "account_updated": _account_updated,
    "edition_created": _edition_created,
    "campaign_created": lambda log, d, n: (
        f"Création de la campagne {n.campaign(n.campaign_of(log))}"
        + (
            f" (édition « {n.editions_by_slug[d['edition']]} »)."
            if d.get("edition") in n.editions_by_slug
            else "."
        )
    ),
    "campaign_opened": lambda log, d, n: (
        f"Ouverture de la campagne {n.campaign(n.campaign_of(log))} : les liens fonctionnent."
    ),
    "campaign_closed": lambda log, d, n: (
        f"Clôture de la campagne {n.campaign(n.campaign_of(log))} : tous les liens ont expiré."
    ),
    "campaign_dates": _campaign_dates,
    "wave_changed": _wave_changed,
    "targets_added": lambda log, d, n: (
        f"Ajout de {_number_of(d.get('count'), 'collectivité', 'collectivités')} aux cibles de "
        f"la campagne {n.campaign(n.campaign_of(log))}."
    ),
    "links_issued": lambda log, d, n: (
        f"Création de {_number_of(d.get('count'), 'lien privé', 'liens privés')} pour la "
        f"campagne {n.campaign(n.campaign_of(log))}."
    ),
    "invitations_sent": _sent,
    "reminders_sent": _sent,
    "link_revoked": _link_revoked,
    "contacts_imported": lambda log, d, n: (
        f"Import de {_number_of(d.get('count'), 'adresse électronique', 'adresses électroniques')}"
        f" de collectivités pour la campagne {n.campaign(n.campaign_of(log))}."
    ),
    "import": _import,
    "export": _export,
    "initiatives_correction": lambda log, d, n: (
        f"Correction du domaine de "
        f"{_number_of(len(d.get('corrections') or []), 'initiative', 'initiatives')} "
        f"de l'édition « {d.get('edition', '')} »."
    ),
    "initiatives_retrain": _retrain,
}


def person_label(log: AuditLog) -> str:
    """Who acted: the operator's identifier, the command line, or nobody known."""
    label = log.actor_label or SYSTEM
    if log.action == "login_failed":
        return "personne non connectée"
    if label.startswith("barometre "):
        return f"ligne de commande ({label})"
    if label == SYSTEM:
        return "système"
    return label


def journal_entries(logs: Iterable[AuditLog]) -> list[JournalEntry]:
    """The journal lines of `logs`, in the same order."""
    logs = list(logs)
    names = Names.of(logs)
    entries = []
    for log in logs:
        detail = log.detail if isinstance(log.detail, dict) else {}
        write = SENTENCES.get(log.action)
        text = write(log, detail, names) if write else "Action enregistrée."
        campaign_pk = names.campaign_of(log)
        entries.append(
            JournalEntry(
                at=log.at,
                person=person_label(log),
                action=ACTIONS.get(log.action, "Autre action"),
                text=text,
                campaign=names.campaigns.get(campaign_pk, "") if campaign_pk else "",
            )
        )
    return entries


@dataclass
class JournalFilter:
    """What the journal is narrowed to: a person, an action, a period (days included)."""

    person: str = ""
    action: str = ""
    start: date | None = None
    end: date | None = None

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> JournalFilter:
        """Read the filter from GET parameters (unknown or malformed values are ignored)."""

        def day(name: str) -> date | None:
            try:
                return date.fromisoformat(query.get(name, "")[:10])
            except ValueError:
                return None

        action = query.get("action", "")
        return cls(
            person=query.get("personne", "")[:200],
            action=action if action in ACTIONS else "",
            start=day("du"),
            end=day("au"),
        )

    @property
    def is_set(self) -> bool:
        """True when any criterion is given."""
        return bool(self.person or self.action or self.start or self.end)

    def apply(self, logs: QuerySet[AuditLog]) -> QuerySet[AuditLog]:
        """The log lines matching every criterion."""
        zone = timezone.get_current_timezone()
        if self.person:
            logs = logs.filter(actor_label=self.person)
        if self.action:
            logs = logs.filter(action=self.action)
        if self.start:
            logs = logs.filter(at__gte=datetime.combine(self.start, time.min, tzinfo=zone))
        if self.end:
            end = datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone)
            logs = logs.filter(at__lt=end)
        return logs

    def params(self) -> dict[str, str]:
        """The filter as GET parameters (for pagination and export links)."""
        values = {
            "personne": self.person,
            "action": self.action,
            "du": self.start.isoformat() if self.start else "",
            "au": self.end.isoformat() if self.end else "",
        }
        return {k: v for k, v in values.items() if v}


def people(logs: QuerySet[AuditLog]) -> list[tuple[str, str]]:
    """(stored label, shown label) of everyone in the journal, for the filter."""
    labels = logs.exclude(action="login_failed").values_list("actor_label", flat=True).distinct()
    return sorted(
        ((label, person_label(AuditLog(actor_label=label))) for label in labels if label),
        key=lambda pair: pair[1].casefold(),
    )


def journal_csv(entries: Iterable[JournalEntry]) -> str:
    """The journal as CSV (`;`, UTF-8 with BOM for spreadsheets), formula-safe cells."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["date", "personne", "action", "description", "campagne"])
    for entry in entries:
        writer.writerow(
            [
                timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
                *(neutralise(v) for v in (entry.person, entry.action, entry.text, entry.campaign)),
            ]
        )
    return out.getvalue()
