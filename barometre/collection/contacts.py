"""Contact emails of targets, from a CSV/XLSX file (`code` and `courriel` columns), all or nothing."""

from __future__ import annotations

import polars as pl
from django.db import transaction
from django.db.models import QuerySet

from barometre.collection.models import Campaign, Target, audit
from barometre.imports.problems import Problem
from barometre.imports.tables import FileRefused, read_table

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def import_contacts(
    campaign: Campaign,
    content: bytes,
    file_name: str,
    actor: object = None,
    targets: QuerySet[Target] | None = None,
) -> tuple[int, list[Problem]]:
    """Set the email of each listed target; return (updated, rejected lines) — nothing on error.

    `targets` restricts the targets that may be changed (the operator's scope); default: all.
    """
    targets = Target.objects.filter(campaign=campaign) if targets is None else targets
    try:
        table = read_table(content, file_name)
    except FileRefused as refused:
        return 0, refused.problems
    columns = {c.lower().strip(): c for c in table.header}
    email_column = columns.get("courriel") or columns.get("email") or columns.get("mail")
    if "code" not in columns or email_column is None:
        return 0, [Problem(1, "", "missing_column", "colonnes « code » et « courriel » attendues")]
    data = table.rows.select(
        pl.col(columns["code"]).str.strip_chars().alias("code"),
        pl.col(email_column).str.strip_chars().alias("email"),
        pl.col("__line").alias("line"),
    )
    known = list(targets.values_list("code", flat=True))
    bad_code = data.filter(~pl.col("code").is_in(known))
    bad_email = data.filter(~pl.col("email").fill_null("").str.contains(EMAIL_PATTERN))
    rejected = [
        Problem(
            line,
            "code",
            "outside_scope",
            f"« {code} » n'est pas une cible de la campagne dans votre périmètre",
        )
        for line, code in bad_code.select("line", "code").iter_rows()
    ] + [
        Problem(line, "courriel", "invalid_value", f"adresse « {email or ''} » invalide")
        for line, email in bad_email.select("line", "email").iter_rows()
    ]
    if rejected:
        return 0, sorted(rejected, key=lambda r: (r.line, r.column))
    emails = dict(data.select("code", "email").iter_rows())
    with transaction.atomic():
        chosen = list(targets.filter(code__in=list(emails)))
        for target in chosen:
            target.email = emails[target.code]
        Target.objects.bulk_update(chosen, ["email"], batch_size=1000)
        audit("contacts_imported", actor=actor, obj=campaign, count=len(chosen))
    return len(chosen), []
