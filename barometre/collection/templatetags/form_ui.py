"""Template filter of the operator forms: render a field's widget with the theme's CSS class."""

from __future__ import annotations

from django import template
from django.forms import BoundField

register = template.Library()


@register.filter
def with_class(field: BoundField, css: str) -> str:
    """The field's widget with `class="css"` (keeps the widget's other attributes)."""
    if not isinstance(field, BoundField):
        return field
    existing = field.field.widget.attrs.get("class", "")
    return field.as_widget(attrs={"class": f"{existing} {css}".strip()})
