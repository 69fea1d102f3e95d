"""Forms of the operator back office (labels and errors in French)."""

from __future__ import annotations

from typing import ClassVar

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from barometre.collection import uploads
from barometre.collection.models import Account, Campaign, Edition, Response, Target
from barometre.collection.scopes import Scope, register_places
from barometre.register.labels import kind_label, region_label, size_class_label

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _codes(text: str) -> list[str]:
    """Split a comma/space separated list of codes."""
    return [c for c in text.replace(",", " ").replace(";", " ").split() if c]


class EditionForm(forms.Form):
    """Create an edition from a template, a YAML file or an XLSForm workbook."""

    source = forms.ChoiceField(label="Origine du questionnaire", choices=Edition.Source.choices)
    template = forms.ChoiceField(label="Modèle", required=False, choices=())
    file = forms.FileField(
        label="Fichier YAML, XLSForm ou structure LimeSurvey (.lss)", required=False
    )
    title = forms.CharField(label="Titre (facultatif)", required=False, max_length=300)

    def __init__(self, *args, templates: list[tuple[str, str]] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [("", "—"), *templates]

    def clean(self) -> dict:
        data = super().clean()
        upload = data.get("file")
        if upload is not None and data.get("source") in (
            Edition.Source.YAML,
            Edition.Source.XLSFORM,
        ):
            limit = (
                uploads.QUESTIONNAIRE_YAML_MAX_BYTES
                if data["source"] == Edition.Source.YAML
                else uploads.QUESTIONNAIRE_WORKBOOK_MAX_BYTES
            )
            problem = uploads.upload_problem(upload, limit, self.fields["file"].label)
            if problem:
                self.add_error("file", problem)
        if data.get("source") == Edition.Source.TEMPLATE and not data.get("template"):
            self.add_error("template", "Choisissez un modèle.")
        if data.get("source") in (
            Edition.Source.YAML,
            Edition.Source.XLSFORM,
            Edition.Source.LIMESURVEY,
        ) and not data.get("file"):
            self.add_error("file", "Joignez le fichier du questionnaire.")
        return data


class CampaignForm(forms.ModelForm):
    """Create or edit a campaign."""

    class Meta:
        model = Campaign
        fields = ("edition", "name", "closes_at", "allow_reopen", "sender_name")
        widgets: ClassVar[dict] = {"closes_at": DATETIME_INPUT}

    def clean_closes_at(self):
        value = self.cleaned_data.get("closes_at")
        if value is not None and value <= timezone.now():
            raise forms.ValidationError("La date de clôture doit être dans le futur.")
        return value


class WaveDatesForm(forms.Form):
    """Themes and dates of one wave."""

    themes = forms.MultipleChoiceField(
        label="Thèmes de la vague", required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )
    opens_at = forms.DateTimeField(label="Ouverture", required=False, widget=DATETIME_INPUT)
    closes_at = forms.DateTimeField(label="Clôture", required=False, widget=DATETIME_INPUT)

    def __init__(self, *args, themes: list[tuple[str, str]] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["themes"].choices = list(themes)

    def clean(self) -> dict:
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", "La clôture doit suivre l'ouverture.")
        return data


class ClosingDateForm(forms.Form):
    """New closing date of a campaign (links expire then)."""

    closes_at = forms.DateTimeField(label="Nouvelle date de clôture", widget=DATETIME_INPUT)

    def clean_closes_at(self):
        value = self.cleaned_data["closes_at"]
        if value <= timezone.now():
            raise forms.ValidationError("La date de clôture doit être dans le futur.")
        return value


class TargetFilterForm(forms.Form):
    """Criteria to pick collectivités from the register."""

    kinds = forms.MultipleChoiceField(
        label="Nature", required=False, choices=(), widget=forms.CheckboxSelectMultiple
    )
    size_classes = forms.MultipleChoiceField(
        label="Tranche de population",
        required=False,
        choices=(),
        widget=forms.CheckboxSelectMultiple,
    )
    regions = forms.MultipleChoiceField(
        label="Régions", required=False, choices=(), widget=forms.CheckboxSelectMultiple
    )
    departements = forms.CharField(
        label="Départements",
        required=False,
        help_text="Numéros séparés par des espaces, ex. 29 35 pour le Finistère et l'Ille-et-Vilaine.",
    )
    epcis = forms.CharField(label="EPCI (SIREN) : l'EPCI et ses communes", required=False)
    opsn_only = forms.BooleanField(label="Membres d'une OPSN seulement", required=False)
    codes_file = forms.FileField(
        label="Ou une liste de codes (fichier texte ou CSV)", required=False
    )
    codes_text = forms.CharField(
        label="Ou des codes collés (INSEE ou SIREN)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, kinds=(), size_classes=(), regions=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["regions"].choices = sorted(
            ((r, region_label(r)) for r in regions), key=lambda choice: choice[1]
        )
        self.fields["kinds"].choices = [(k, kind_label(k)) for k in kinds]
        self.fields["size_classes"].choices = [(s, size_class_label(s)) for s in size_classes]

    def clean_codes_file(self):
        upload = self.cleaned_data.get("codes_file")
        problem = uploads.upload_problem(
            upload, uploads.CODES_FILE_MAX_BYTES, self.fields["codes_file"].label
        )
        if problem:
            raise forms.ValidationError(problem)
        return upload

    def split(self, name: str) -> list[str]:
        """The codes of a free-text field."""
        return _codes(self.cleaned_data.get(name) or "")


class ImportForm(forms.Form):
    """Upload answers collected elsewhere, with the rule for collectivités that already answered."""

    source = forms.ChoiceField(
        label="Format",
        choices=[
            (Response.Source.LIMESURVEY, "LimeSurvey (export CSV ou XLSX, codes des questions)"),
            (Response.Source.KOBO, "KoboToolbox / ODK (export CSV ou XLSX)"),
            (Response.Source.MAPPED, "CSV ou XLSX avec correspondance de colonnes"),
        ],
    )
    file = forms.FileField(label="Fichier")
    code_column = forms.CharField(
        label="Colonne de l'identifiant de la collectivité",
        initial="code",
        max_length=500,
        help_text="En-tête tel qu'il est écrit dans le fichier : code Insee, SIREN ou SIRET.",
    )
    name_column = forms.CharField(
        label="Colonne du nom de la collectivité (facultatif)",
        required=False,
        max_length=500,
        help_text="Sert quand l'identifiant manque, et pour nommer les répondants hors base.",
    )
    out_of_frame = forms.BooleanField(
        label="Garder à part les répondants absents du registre (« hors base de sondage »)",
        required=False,
        help_text="Ils sont enregistrés, listés et exportés, mais jamais pondérés ni estimés.",
    )
    confirmations = forms.CharField(
        label="Collectivités confirmées (une ligne « numéro de ligne = code » ou « = hors base »)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Pour les lignes où seul un nom est donné : le rapport propose des candidats.",
    )
    on_existing = forms.ChoiceField(
        label="Si une collectivité a déjà répondu",
        choices=[
            ("refuse", "Refuser l'import"),
            ("replace", "Remplacer la réponse existante"),
            ("keep", "Conserver la réponse existante (ligne ignorée)"),
        ],
        initial="refuse",
        required=False,
        help_text="Refuser : rien n'est enregistré et le rapport nomme chaque ligne concernée.",
    )
    encoding = forms.ChoiceField(
        label="Encodage d'un fichier CSV",
        choices=[
            ("auto", "UTF-8 (recommandé)"),
            ("windows-1252", "Windows-1252 / Latin-1 (Excel sous Windows)"),
        ],
        initial="auto",
        required=False,
    )
    mapping = forms.CharField(
        label="Correspondance (une ligne « colonne du fichier = identifiant de question »)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Identifiants spéciaux : code, submitted_at, status, respondent_role.",
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        problem = uploads.upload_problem(
            upload, uploads.ANSWERS_FILE_MAX_BYTES, self.fields["file"].label
        )
        if problem:
            raise forms.ValidationError(problem)
        return upload


class AccountFieldsForm(forms.Form):
    """What every operator account has: email, role and territorial scope.

    `actor_scope` is the scope of the administrator filling the form: the scope given must lie
    inside it (an account can only grant what it covers, and never widen its own scope).
    """

    email = forms.EmailField(label="Courriel")
    role = forms.ChoiceField(label="Rôle", choices=Account.Role.choices)
    scope_label = forms.CharField(label="Libellé du périmètre", required=False, max_length=200)
    scope_regions = forms.CharField(
        label="Régions du périmètre",
        required=False,
        help_text="Codes INSEE, ex. 53 pour la Bretagne.",
    )
    scope_departements = forms.CharField(
        label="Départements du périmètre", required=False, help_text="Ex. 29 35 2A 971."
    )
    scope_codes = forms.CharField(
        label="Collectivités du périmètre (codes)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Codes INSEE des communes, SIREN des EPCI, D29, R53…",
    )
    SCOPE_FIELDS = ("scope_regions", "scope_departements", "scope_codes")

    def __init__(self, *args, actor_scope: Scope | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.actor_scope = actor_scope or Scope()

    def _known_codes(self, name: str, known, what: str) -> list[str]:
        """The codes of a scope field, each checked against `known` (French error otherwise)."""
        codes = list(dict.fromkeys(_codes(self.cleaned_data.get(name) or "")))
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise forms.ValidationError(f"{', '.join(f'« {c} »' for c in unknown[:10])} : {what}.")
        return codes

    def clean_scope_regions(self) -> list[str]:
        return self._known_codes(
            "scope_regions", register_places().regions, "région inconnue du registre"
        )

    def clean_scope_departements(self) -> list[str]:
        return self._known_codes(
            "scope_departements", register_places().departements, "département inconnu du registre"
        )

    def clean_scope_codes(self) -> list[str]:
        codes = list(dict.fromkeys(_codes(self.cleaned_data.get("scope_codes") or "")))
        places = register_places().of_code
        unknown = [c for c in codes if c not in places]
        if unknown:
            targeted = set(
                Target.objects.filter(code__in=unknown).values_list("code", flat=True).distinct()
            )
            unknown = [c for c in unknown if c not in targeted]
        if unknown:
            raise forms.ValidationError(
                f"{', '.join(f'« {c} »' for c in unknown[:10])} : code inconnu du registre et "
                "des cibles des campagnes."
            )
        return codes

    def codes(self, name: str) -> list[str]:
        """The checked codes of a scope field."""
        return list(self.cleaned_data.get(name) or [])

    def scope(self) -> Scope:
        """The scope given by the form (after validation)."""
        return Scope.of(*(self.codes(name) for name in self.SCOPE_FIELDS))

    def clean(self) -> dict:
        data = super().clean()
        if self.actor_scope.is_national or any(name in self.errors for name in self.SCOPE_FIELDS):
            return data
        mine = self.actor_scope.describe()
        if self.scope().is_national:
            self.add_error(
                "scope_departements",
                "Périmètre vide : il donnerait tout le registre, qui dépasse votre périmètre "
                f"({mine}). Indiquez des régions, départements ou collectivités qu'il couvre.",
            )
            return data
        for name, part in zip(
            self.SCOPE_FIELDS,
            (
                Scope.of(regions=self.codes("scope_regions")),
                Scope.of(departements=self.codes("scope_departements")),
                Scope.of(codes=self.codes("scope_codes")),
            ),
            strict=True,
        ):
            outside = self.actor_scope.outside(part) if not part.is_national else []
            if outside:
                self.add_error(
                    name,
                    f"Hors de votre périmètre ({mine}) : {', '.join(outside[:10])}. Un compte ne "
                    "peut donner que ce que couvre son propre périmètre.",
                )
        return data


class AccountForm(AccountFieldsForm):
    """Create an operator account."""

    username = forms.CharField(label="Identifiant", max_length=150)
    field_order = ("username",)

    def clean_username(self) -> str:
        name = self.cleaned_data["username"]
        if get_user_model().objects.filter(username=name).exists():
            raise forms.ValidationError("Cet identifiant existe déjà.")
        return name


class AccountEditForm(AccountFieldsForm):
    """Change an operator account: email, role, territorial scope, active or not."""

    is_active = forms.BooleanField(
        label="Compte actif (décochez pour fermer l'accès sans effacer l'historique)",
        required=False,
    )

    def __init__(self, *args, account: Account, actor_account: Account | None, **kwargs) -> None:
        self.account = account
        self.actor_account = actor_account
        if actor_account is not None:
            kwargs.setdefault("actor_scope", actor_account.scope)
        kwargs.setdefault(
            "initial",
            {
                "email": account.user.email,
                "role": account.role,
                "scope_label": account.scope_label,
                "scope_regions": " ".join(account.scope_regions),
                "scope_departements": " ".join(account.scope_departements),
                "scope_codes": " ".join(account.scope_codes),
                "is_active": account.user.is_active,
            },
        )
        super().__init__(*args, **kwargs)

    def clean(self) -> dict:
        data = super().clean()
        admin = Account.Role.ADMINISTRATOR
        stays_admin = data.get("role") == admin and data.get("is_active")
        if self.account.role == admin and self.account.user.is_active and not stays_admin:
            others = Account.objects.filter(role=admin, user__is_active=True).exclude(
                pk=self.account.pk
            )
            if not others.exists():
                raise forms.ValidationError(
                    "C'est le dernier compte administrateur actif : nommez d'abord un autre "
                    "administrateur."
                )
            if self.actor_account is not None and self.actor_account.pk == self.account.pk:
                raise forms.ValidationError(
                    "Vous ne pouvez pas retirer vos propres droits d'administrateur ni fermer "
                    "votre propre compte : demandez-le à un autre administrateur."
                )
        return data
