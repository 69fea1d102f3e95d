"""Template filters of the back office: French labels of register codes and French numbers.

`{% load french %}` then `{{ target.kind_detail|kind_label }}`, `{{ total|fr_count }}`,
`{{ rate|fr_percent }}`. The labels come from `barometre.register.labels`, the one source the
report and the dashboard use too.
"""

from __future__ import annotations

from django import template

from barometre.register import labels

register = template.Library()


@register.filter
def fr_count(value: float | None) -> str:
    """`36343` → `36 343` (narrow no-break space)."""
    return labels.count(value)


@register.filter
def fr_number(value: float | None, digits: int = 1) -> str:
    """`12.5` → `12,5`."""
    return labels.number(value, int(digits))


@register.filter
def fr_percent(share: float | None, digits: int = 0) -> str:
    """A share 0–1 → `48 %`; a non-zero share that would round to 0 reads `< 1 %`."""
    if share is not None and 0 < share < 0.005 and int(digits) == 0:
        return f"<{labels.NNBSP}1{labels.NNBSP}%"
    return labels.percent(share, int(digits))


@register.filter
def kind_label(code: str | None) -> str:
    """`epci_CA` → Communauté d'agglomération."""
    return labels.kind_label(code)


@register.filter
def kind_label_plural(code: str | None) -> str:
    """`epci_CA` → Communautés d'agglomération."""
    return labels.kind_label(code, plural=True)


@register.filter
def region_label(code: str | None) -> str:
    """`53` → Bretagne."""
    return labels.region_label(code)


@register.filter
def departement_label(code: str | None) -> str:
    """`29` → Finistère (29)."""
    return labels.departement_label(code)


@register.filter
def size_class_label(label: str | None) -> str:
    """A population class with its thousands kept together."""
    return labels.size_class_label(label)
