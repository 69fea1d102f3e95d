"""Forms of the review queue: one decision per initiative, sent together (a formset)."""

from __future__ import annotations

from django import forms
from django.forms import BaseFormSet, formset_factory

from barometre.initiatives.taxonomy import Taxonomy

PENDING_LABEL = "À revoir plus tard"
DOMAIN_FIELD_LABEL = "Domaine retenu"


class DecisionForm(forms.Form):
    """The operator's decision on one initiative: confirm or correct its domain, or leave it."""

    initiative = forms.CharField(widget=forms.HiddenInput, max_length=200)
    domaine = forms.ChoiceField(label=DOMAIN_FIELD_LABEL, required=False)

    def __init__(self, *args, taxonomy: Taxonomy, known_ids: set[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.known_ids = known_ids
        self.fields["domaine"].choices = [("", PENDING_LABEL)] + [
            (d.id, d.label) for d in taxonomy.domains
        ]

    def clean_initiative(self) -> str:
        """The initiative must still be in the corpus."""
        value = self.cleaned_data["initiative"]
        if value not in self.known_ids:
            raise forms.ValidationError(
                f"initiative « {value} » absente du corpus (rechargez la page)."
            )
        return value


class BaseDecisionFormSet(BaseFormSet):
    """Decisions on the queue; `decisions()` gives the (id, domain) pairs to store."""

    def decisions(self) -> list[tuple[str, str]]:
        """(initiative id, domain) of every item with a chosen domain."""
        return [
            (form.cleaned_data["initiative"], form.cleaned_data["domaine"])
            for form in self.forms
            if form.cleaned_data.get("domaine")
        ]

    def error_summary(self, titles: dict[str, str]) -> list[str]:
        """One French line per error, naming the item (position and title) and the field."""
        lines = []
        for position, form in enumerate(self.forms, start=1):
            initiative = form.data.get(form.add_prefix("initiative"), "")
            title = titles.get(initiative, initiative)
            for name, errors in form.errors.items():
                field = form.fields[name].label if name != "initiative" else "identifiant"
                lines += [
                    f"Initiative n° {position} (« {title} »), champ « {field} » : {e}"
                    for e in errors
                ]
        lines += [str(e) for e in self.non_form_errors()]
        return lines


DecisionFormSet = formset_factory(
    DecisionForm, formset=BaseDecisionFormSet, extra=0, max_num=200, validate_max=True
)
