"""Database models of the collection app: editions, campaigns, waves, targets, invitations, responses.

Overview (one arrow = one foreign key):

    Edition (questionnaire YAML) <- Campaign (status, dates) <- Wave (themes, dates)
                                     Campaign <- Target (one collectivité of the register)
                                                 Target <- Invitation (private link, hashed token)
                                                           Invitation <- Response <- Answer

The service functions that change responses (`save_answers`, `submit_response`, `reopen_response`)
and resolve private links (`resolve_token`) live in `barometre.collection.services` and are
re-exported here for convenience.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.db.models import Q
from django.utils import timezone

from barometre.collection.scopes import Scope

if TYPE_CHECKING:  # pragma: no cover
    from barometre.questionnaire import Questionnaire


WAVES_CACHE_SECONDS = 10


def hash_token(raw: str) -> str:
    """SHA-256 hex digest of a raw private-link token (the only form ever stored)."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh random token of 256 bits, URL-safe (`secrets.token_urlsafe(32)`)."""
    return secrets.token_urlsafe(32)


class Edition(models.Model):
    """One edition of a barometer: its questionnaire, stored as YAML text plus parsed id and version."""

    class Source(models.TextChoices):
        TEMPLATE = "template", "Modèle"
        YAML = "yaml", "Fichier YAML"
        XLSFORM = "xlsform", "Fichier XLSForm"
        LIMESURVEY = "limesurvey", "Structure LimeSurvey (.lss)"

    slug = models.SlugField("identifiant", max_length=100, unique=True)
    title = models.CharField("titre", max_length=300)
    year = models.PositiveIntegerField("année", null=True, blank=True)
    questionnaire_yaml = models.TextField("questionnaire (YAML)")
    questionnaire_id = models.CharField("identifiant du questionnaire", max_length=200)
    questionnaire_version = models.CharField("version du questionnaire", max_length=50)
    source = models.CharField("origine", max_length=20, choices=Source.choices)
    source_name = models.CharField(
        "modèle ou fichier d'origine", max_length=300, blank=True, default=""
    )
    created_at = models.DateTimeField("créée le", default=timezone.now)

    class Meta:
        verbose_name = "édition"
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.title

    @cached_property
    def questionnaire(self) -> Questionnaire:
        """The parsed questionnaire (`barometre.questionnaire.Questionnaire`), cached per instance."""
        from barometre.collection.editions import cached_questionnaire

        return cached_questionnaire(self.questionnaire_yaml)


class Campaign(models.Model):
    """A collection campaign of an edition: draft, then open (links work), then closed."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Brouillon"
        OPEN = "open", "Ouverte"
        CLOSED = "closed", "Clôturée"

    edition = models.ForeignKey(
        Edition, on_delete=models.PROTECT, related_name="campaigns", verbose_name="édition"
    )
    name = models.CharField("nom", max_length=300)
    status = models.CharField("statut", max_length=10, choices=Status.choices, default=Status.DRAFT)
    allow_reopen = models.BooleanField(
        "réouverture autorisée",
        default=False,
        help_text="Un répondant peut modifier une réponse déjà transmise tant que la campagne est ouverte.",
    )
    opens_at = models.DateTimeField("ouverture prévue", null=True, blank=True)
    closes_at = models.DateTimeField(
        "clôture prévue", null=True, blank=True, help_text="Les liens expirent à cette date."
    )
    opened_at = models.DateTimeField("ouverte le", null=True, blank=True)
    closed_at = models.DateTimeField("clôturée le", null=True, blank=True)
    sender_name = models.CharField("signature des courriels", max_length=200, blank=True)
    created_at = models.DateTimeField("créée le", default=timezone.now)
    trial_of = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="trials",
        verbose_name="campagne d'essai de",
        help_text="Campagne d'essai du questionnaire : ses réponses ne comptent nulle part.",
    )

    class Meta:
        verbose_name = "campagne"
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        """True while respondents may answer (status open and closing date not passed)."""
        return self.status == self.Status.OPEN and (
            self.closes_at is None or self.closes_at > timezone.now()
        )

    def cached_waves(self) -> list[Wave]:
        """The campaign's waves, cached per process for a few seconds (read on every autosave)."""
        key = f"barometre:campaign-waves:{self.pk}"
        waves = cache.get(key)
        if waves is None:
            waves = list(self.waves.all())
            cache.set(key, waves, WAVES_CACHE_SECONDS)
        return waves

    def open_theme_ids(self, at: datetime | None = None) -> list[str] | None:
        """Theme ids a respondent may answer now; None means every theme (campaign without waves)."""
        at = at or timezone.now()
        waves = self.cached_waves()
        if not waves:
            return None
        themes: list[str] = []
        for wave in waves:
            if wave.is_open(at):
                themes.extend(t for t in wave.themes if t not in themes)
        return themes


class Wave(models.Model):
    """A wave of a campaign: a set of questionnaire themes with its own opening and closing dates."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="waves", verbose_name="campagne"
    )
    code = models.SlugField("identifiant", max_length=50)
    label = models.CharField("libellé", max_length=200)
    themes = models.JSONField("thèmes", default=list, help_text="Identifiants des thèmes.")
    opens_at = models.DateTimeField("ouverture", null=True, blank=True)
    closes_at = models.DateTimeField("clôture", null=True, blank=True)

    class Meta:
        verbose_name = "vague"
        ordering = (
            "opens_at",
            "code",
        )
        constraints = (
            models.UniqueConstraint(fields=["campaign", "code"], name="wave_unique_code"),
        )

    def __str__(self) -> str:
        return self.label

    def save(self, *args, **kwargs) -> None:
        """Save, and forget the campaign's cached waves."""
        super().save(*args, **kwargs)
        cache.delete(f"barometre:campaign-waves:{self.campaign_id}")

    def is_open(self, at: datetime | None = None) -> bool:
        """True when `at` (default now) lies between the wave's dates (open bounds when unset)."""
        at = at or timezone.now()
        return (self.opens_at is None or self.opens_at <= at) and (
            self.closes_at is None or at < self.closes_at
        )


class Target(models.Model):
    """One collectivité of the register targeted by a campaign, with its strata at selection time."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="targets", verbose_name="campagne"
    )
    code = models.CharField("code du registre", max_length=20)
    name = models.CharField("nom", max_length=300)
    kind = models.CharField("nature", max_length=30)
    kind_detail = models.CharField("nature détaillée", max_length=30, blank=True, default="")
    size_class = models.CharField("tranche de population", max_length=60, blank=True, default="")
    population = models.BigIntegerField("population", null=True, blank=True)
    departement = models.CharField("département", max_length=5, blank=True, default="")
    region = models.CharField("région", max_length=5, blank=True, default="")
    epci = models.CharField("EPCI", max_length=20, blank=True, default="")
    opsn = models.CharField(
        "OPSN", max_length=50, blank=True, default="", help_text="Code de l'OPSN membre, s'il y a."
    )
    email = models.EmailField("courriel de contact", blank=True, default="")
    added_at = models.DateTimeField("ajoutée le", default=timezone.now)

    class Meta:
        verbose_name = "collectivité ciblée"
        verbose_name_plural = "collectivités ciblées"
        ordering = ("code",)
        constraints = (
            models.UniqueConstraint(fields=["campaign", "code"], name="target_unique_code"),
        )
        indexes = (models.Index(fields=["campaign", "departement"]),)

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class InvitationQuerySet(models.QuerySet):
    """Queries on invitations."""

    def active(self) -> InvitationQuerySet:
        """Invitations whose link works now: not revoked, not expired, campaign open."""
        now = timezone.now()
        return self.filter(
            revoked_at__isnull=True,
            target__campaign__status=Campaign.Status.OPEN,
        ).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


# The rule of `InvitationQuerySet.active` for hand-written SQL (the respondent's hot paths), with
# `i` the invitation and `c` its campaign; parameters from `active_invitation_params`.
ACTIVE_INVITATION_SQL = (
    "i.id = %s AND i.revoked_at IS NULL AND c.status = %s "
    "AND (i.expires_at IS NULL OR i.expires_at > %s)"
)


LINK_MARK_LENGTH = 16


def link_mark(token_hash: str) -> str:
    """What a respondent session remembers of the link it was opened with: the start of the
    token's hash. A rotated link has another hash, so the sessions opened with the old one end."""
    return token_hash[:LINK_MARK_LENGTH]


class ActiveLink(int):
    """An invitation id with the hash of the link a session was opened with (a guarded write
    then also requires that the link was not rotated since)."""

    token_hash: str

    def __new__(cls, invitation_id: int, token_hash: str) -> ActiveLink:
        link = super().__new__(cls, invitation_id)
        link.token_hash = token_hash
        return link


def active_invitation_params(connection, invitation_id: int, now=None) -> list[object]:
    """The parameters of `ACTIVE_INVITATION_SQL` for one invitation, now (or at `now`)."""
    stamp = connection.ops.adapt_datetimefield_value(now or timezone.now())
    return [int(invitation_id), Campaign.Status.OPEN, stamp]


class Invitation(models.Model):
    """The private link of one target: only the SHA-256 of its random token is stored.

    The raw token is returned once by `barometre.collection.services.issue_invitation` (or
    `Invitation.rotate_token`) and never stored nor logged. A link is valid while the invitation is
    not revoked, not expired (`expires_at`, the campaign's closing date) and the campaign is open;
    `resolve_token(raw)` returns None alike in every other case.
    """

    target = models.OneToOneField(
        Target, on_delete=models.CASCADE, related_name="invitation", verbose_name="cible"
    )
    token_hash = models.CharField("empreinte du jeton (SHA-256)", max_length=64, unique=True)
    created_at = models.DateTimeField("créée le", default=timezone.now)
    expires_at = models.DateTimeField("expire le", null=True, blank=True)
    revoked_at = models.DateTimeField("révoquée le", null=True, blank=True)
    sent_at = models.DateTimeField("envoyée le", null=True, blank=True)
    reminded_at = models.DateTimeField("dernière relance", null=True, blank=True)
    reminder_count = models.PositiveIntegerField("relances", default=0)
    first_opened_at = models.DateTimeField("premier accès", null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = "invitation"
        ordering = ("target__code",)

    def __str__(self) -> str:
        return f"Invitation {self.target.code}"

    @property
    def campaign(self) -> Campaign:
        """The campaign of this invitation."""
        return self.target.campaign

    @property
    def is_active(self) -> bool:
        """True when the link works now."""
        return (
            self.revoked_at is None
            and (self.expires_at is None or self.expires_at > timezone.now())
            and self.target.campaign.is_open
        )

    def rotate_token(self) -> str:
        """Give this invitation a new token (clears revocation), save it and return the raw token."""
        raw = new_token()
        self.token_hash = hash_token(raw)
        self.revoked_at = None
        self.save(update_fields=["token_hash", "revoked_at"])
        return raw

    def revoke(self) -> None:
        """Revoke the link (the respondent then gets the same answer as for an unknown link)."""
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


class Response(models.Model):
    """The answers of one collectivité to a campaign; `version` guards concurrent edits.

    Status: `draft` (opened, nothing saved yet), `partial` (at least one answer saved, or an
    imported partial response), `complete` (submitted). Web responses hang on an invitation (one
    response per invitation); imported responses have no invitation but carry `campaign` and `code`.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Non commencée"
        PARTIAL = "partial", "Partielle"
        COMPLETE = "complete", "Complète"

    class Source(models.TextChoices):
        WEB = "web", "Questionnaire en ligne"
        LIMESURVEY = "limesurvey", "Import LimeSurvey"
        KOBO = "kobo", "Import KoboToolbox/ODK"
        MAPPED = "mapped", "Import CSV/XLSX"
        EDITION = "edition", "Dossier d'édition"

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="responses", verbose_name="campagne"
    )
    code = models.CharField("code du registre", max_length=20, db_index=True)
    invitation = models.OneToOneField(
        Invitation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="response",
        verbose_name="invitation",
    )
    status = models.CharField("statut", max_length=10, choices=Status.choices, default=Status.DRAFT)
    source = models.CharField("origine", max_length=20, choices=Source.choices, default=Source.WEB)
    respondent_role = models.CharField("fonction du répondant", max_length=200, blank=True)
    version = models.PositiveIntegerField("version", default=0)
    reopened = models.BooleanField("rouverte", default=False)
    created_at = models.DateTimeField("créée le", default=timezone.now)
    updated_at = models.DateTimeField("modifiée le", default=timezone.now)
    submitted_at = models.DateTimeField("transmise le", null=True, blank=True)
    out_of_frame = models.BooleanField(
        "hors base de sondage",
        default=False,
        help_text="Répondant absent du registre, gardé à part : jamais pondéré ni estimé.",
    )
    respondent_name = models.CharField("nom du répondant", max_length=300, blank=True, default="")
    import_batch = models.ForeignKey(
        "ImportBatch",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="responses",
        verbose_name="import",
    )

    class Meta:
        verbose_name = "réponse"
        ordering = (
            "campaign",
            "code",
            "created_at",
        )
        indexes = (models.Index(fields=["campaign", "status"]),)

    def __str__(self) -> str:
        return f"Réponse {self.code} ({self.get_status_display()})"

    def answer_dict(self) -> dict[str, str]:
        """The saved answers as {question_id: value}."""
        return dict(self.answers.values_list("question_id", "value"))


class Answer(models.Model):
    """One answer: the value is text (choice code, space-separated codes, number or free text)."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", verbose_name="réponse"
    )
    question_id = models.CharField("question", max_length=100)
    value = models.TextField("valeur", blank=True, default="")
    updated_at = models.DateTimeField("modifiée le", default=timezone.now)
    updated_by = models.CharField("modifiée par", max_length=200, blank=True, default="")

    class Meta:
        verbose_name = "réponse à une question"
        constraints = (
            models.UniqueConstraint(
                fields=["response", "question_id"], name="answer_unique_question"
            ),
        )

    def __str__(self) -> str:
        return f"{self.question_id} = {self.value}"


class ImportBatch(models.Model):
    """One accepted import of answers (LimeSurvey, KoboToolbox/ODK or mapped CSV/XLSX)."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="imports", verbose_name="campagne"
    )
    source = models.CharField("format", max_length=20, choices=Response.Source.choices)
    file_name = models.CharField("fichier", max_length=300)
    row_count = models.PositiveIntegerField("lignes importées", default=0)
    created_at = models.DateTimeField("importé le", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        verbose_name = "import"
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.file_name} ({self.row_count} lignes)"


class Account(models.Model):
    """Operator profile: a role and a territorial scope (empty scope = the whole register)."""

    class Role(models.TextChoices):
        ADMINISTRATOR = "administrator", "Administrateur"
        ANALYST = "analyst", "Analyste"
        READER = "reader", "Lecteur"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="account",
        verbose_name="utilisateur",
    )
    role = models.CharField("rôle", max_length=20, choices=Role.choices, default=Role.READER)
    scope_label = models.CharField(
        "périmètre", max_length=200, blank=True, default="", help_text="Ex. « OPSN Bretagne »."
    )
    scope_regions = models.JSONField(
        "régions du périmètre", default=list, blank=True, help_text='Ex. ["53"].'
    )
    scope_departements = models.JSONField(
        "départements du périmètre", default=list, blank=True, help_text='Ex. ["29", "35"].'
    )
    scope_codes = models.JSONField(
        "collectivités du périmètre",
        default=list,
        blank=True,
        help_text="Codes du registre (membres d'une OPSN, communes d'un EPCI…).",
    )

    class Meta:
        verbose_name = "compte opérateur"
        verbose_name_plural = "comptes opérateurs"

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.get_role_display()})"

    @property
    def scope(self) -> Scope:
        """The territorial scope (see `barometre.collection.scopes`)."""
        return Scope.of(self.scope_regions, self.scope_departements, self.scope_codes)

    @property
    def is_national(self) -> bool:
        """True when the account sees every collectivité (no territorial restriction)."""
        return self.scope.is_national

    def scope_q(self, prefix: str = "") -> Q:
        """A Q filter on targets (`prefix` e.g. "target__") restricted to this account's scope."""
        return self.scope.q(prefix)

    def can(self, action: str) -> bool:
        """Whether the role allows `action` (view, export, invite, import, manage, administer)."""
        allowed = {
            self.Role.READER: {"view"},
            self.Role.ANALYST: {"view", "export", "invite", "import", "manage"},
            self.Role.ADMINISTRATOR: {"view", "export", "invite", "import", "manage", "administer"},
        }
        return action in allowed[self.Role(self.role)]


class AuditLog(models.Model):
    """One operator (or command-line) action; never holds a raw token."""

    at = models.DateTimeField("date", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name="auteur",
    )
    actor_label = models.CharField("auteur (libellé)", max_length=200, blank=True, default="")
    action = models.CharField("action", max_length=60, db_index=True)
    object_type = models.CharField("objet", max_length=60, blank=True, default="")
    object_id = models.CharField("identifiant de l'objet", max_length=60, blank=True, default="")
    detail = models.JSONField("détail", default=dict, blank=True)

    class Meta:
        verbose_name = "journal d'audit"
        ordering = ("-at",)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"


def audit(
    action: str, *, actor: Any = None, obj: models.Model | None = None, **detail: Any
) -> AuditLog:
    """Record one action in the audit log (`actor` a user, a label or None for the system)."""
    user = actor if getattr(actor, "pk", None) is not None else None
    label = actor.get_username() if user is not None else (str(actor) if actor else "système")
    return AuditLog.objects.create(
        actor=user,
        actor_label=label,
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail,
    )


_SERVICE_NAMES = {
    "StaleVersion",
    "ResponseLocked",
    "issue_invitation",
    "reopen_response",
    "resolve_token",
    "response_for",
    "save_answers",
    "submit_response",
}


def __getattr__(name: str) -> Any:
    """Re-export the service functions of `barometre.collection.services` lazily (no import cycle)."""
    if name in _SERVICE_NAMES:
        from barometre.collection import services

        return getattr(services, name)
    raise AttributeError(name)
