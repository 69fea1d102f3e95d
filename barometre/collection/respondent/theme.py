"""The two visual themes (neutral, DSFR): base template and CSS class names per theme."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

THEMES = ("neutral", "dsfr")
DEFAULT_THEME = "neutral"

# CSS class names the shared, semantic templates use; one map per theme.
UI_CLASSES: dict[str, dict[str, str]] = {
    "neutral": {
        "container": "b-container",
        "button": "b-button",
        "button_secondary": "b-button b-button--secondary",
        "buttons": "b-buttons",
        "fieldset": "b-fieldset",
        "fieldset_error": "b-fieldset b-fieldset--error",
        "legend": "b-legend",
        "field": "b-field",
        "option": "b-option-wrapper",
        "radio": "b-option",
        "checkbox": "b-option",
        "label": "b-label",
        "hint": "b-hint",
        "input": "b-input",
        "input_group": "b-input-group",
        "input_group_error": "b-input-group b-input-group--error",
        "error_text": "b-error-text",
        "messages": "b-messages",
        "alert_error": "b-alert b-alert--error",
        "alert_success": "b-alert b-alert--success",
        "alert_info": "b-alert b-alert--info",
        "alert_title": "b-alert__title",
        "table": "b-table",
        "link": "b-link",
        "progress": "b-progress",
        "callout": "b-callout",
    },
    "dsfr": {
        "container": "fr-container fr-my-4w",
        "button": "fr-btn",
        "button_secondary": "fr-btn fr-btn--secondary",
        "buttons": "fr-btns-group fr-btns-group--inline-md",
        "fieldset": "fr-fieldset",
        "fieldset_error": "fr-fieldset fr-fieldset--error",
        "legend": "fr-fieldset__legend",
        "field": "fr-fieldset__element",
        "option": "fr-fieldset__element",
        "radio": "fr-radio-group",
        "checkbox": "fr-checkbox-group",
        "label": "fr-label",
        "hint": "fr-hint-text",
        "input": "fr-input",
        "input_group": "fr-input-group",
        "input_group_error": "fr-input-group fr-input-group--error",
        "error_text": "fr-message fr-message--error",
        "messages": "fr-messages-group",
        "alert_error": "fr-alert fr-alert--error fr-mb-4w",
        "alert_success": "fr-alert fr-alert--success fr-mb-4w",
        "alert_info": "fr-alert fr-alert--info fr-mb-4w",
        "alert_title": "fr-alert__title",
        "table": "fr-table",
        "link": "fr-link",
        "progress": "fr-stepper",
        "callout": "fr-callout",
    },
}


def current_theme() -> str:
    """The theme named by the `BAROMETRE_THEME` setting; neutral unless explicitly dsfr."""
    name = getattr(settings, "BAROMETRE_THEME", DEFAULT_THEME)
    return name if name in THEMES else DEFAULT_THEME


def theme(request: HttpRequest) -> dict[str, object]:
    """Context processor: the theme name, its base template and its CSS class map."""
    name = current_theme()
    return {
        "theme": name,
        "theme_base_template": f"base_{name}.html",
        "ui": UI_CLASSES[name],
        "site_title": getattr(settings, "BAROMETRE_SITE_TITLE", "Baromètre de maturité numérique"),
        "site_operator": getattr(settings, "BAROMETRE_OPERATOR_NAME", ""),
    }
