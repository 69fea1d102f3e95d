"""Model instances from hand-written SQL on the respondent's hot paths (no ORM query compilation).

Django compiles every queryset anew: 1–2 ms for the four-table `select_related` of a respondent
page, twenty times what the database then takes. The respondent pages run the same two queries on
every request, so their SQL is written once per process from the models' metadata and the rows
become instances through `Model.from_db`, after the converters the ORM itself would apply.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import Field, Model

from barometre.collection.models import (
    ACTIVE_INVITATION_SQL,
    Answer,
    Campaign,
    Edition,
    Invitation,
    Response,
    Target,
    active_invitation_params,
)

Converter = Callable[[object, object, object], object]


@dataclass(frozen=True)
class Columns:
    """The selected columns of one model under a table alias, and how to turn them into an instance."""

    model: type[Model]
    alias: str
    fields: tuple[Field, ...]

    @classmethod
    def of(cls, model: type[Model], alias: str, skip: Sequence[str] = ()) -> Columns:
        """Every concrete field of `model` except `skip` (left deferred on the instances)."""
        fields = tuple(f for f in model._meta.concrete_fields if f.name not in skip)
        return cls(model, alias, fields)

    def select(self, quote: Callable[[str], str]) -> list[str]:
        """The `alias.column` expressions, in field order."""
        return [f"{self.alias}.{quote(f.column)}" for f in self.fields]

    def converters(self, connection) -> list[tuple[list[Converter], object]]:
        """Per field: the backend and field converters of its column, as the ORM applies them."""
        out = []
        for f in self.fields:
            col = f.get_col(self.alias)
            out.append(
                (connection.ops.get_db_converters(col) + col.get_db_converters(connection), col)
            )
        return out

    def build(self, connection, converters, values: Sequence[object]) -> Model | None:
        """An instance from its slice of a row (None when a LEFT JOIN found no row)."""
        if values[0] is None:
            return None
        converted = []
        for value, (funcs, col) in zip(values, converters, strict=True):
            for func in funcs:
                value = func(value, col, connection)
            converted.append(value)
        return self.model.from_db(connection.alias, [f.attname for f in self.fields], converted)


INVITATION = Columns.of(Invitation, "i")
TARGET = Columns.of(Target, "t")
CAMPAIGN = Columns.of(Campaign, "c")
EDITION = Columns.of(Edition, "e", skip=("questionnaire_yaml",))
RESPONSE = Columns.of(Response, "r")
SESSION_PARTS = (INVITATION, TARGET, CAMPAIGN, EDITION, RESPONSE)

_PREPARED: dict[str, tuple[str, list[list[tuple[list[Converter], object]]]]] = {}
_PREPARED_LOCK = threading.Lock()


def _session_sql(connection) -> tuple[str, list[list[tuple[list[Converter], object]]]]:
    """The SQL of `session_rows` and the converters of each part, built once per database."""
    prepared = _PREPARED.get(connection.alias)
    if prepared is None:
        quote = connection.ops.quote_name
        columns = [c for part in SESSION_PARTS for c in part.select(quote)]
        table = {part.alias: quote(part.model._meta.db_table) for part in SESSION_PARTS}
        sql = (
            f"SELECT {', '.join(columns)} FROM {table['i']} i "
            f"JOIN {table['t']} t ON t.id = i.target_id "
            f"JOIN {table['c']} c ON c.id = t.campaign_id "
            f"JOIN {table['e']} e ON e.id = c.edition_id "
            f"LEFT JOIN {table['r']} r ON r.invitation_id = i.id "
            f"WHERE {ACTIVE_INVITATION_SQL}"
        )
        prepared = (sql, [part.converters(connection) for part in SESSION_PARTS])
        with _PREPARED_LOCK:
            _PREPARED[connection.alias] = prepared
    return prepared


@dataclass
class SessionRows:
    """An active invitation with its target, campaign, edition and response, and the answers."""

    invitation: Invitation
    response: Response | None
    answers: dict[str, str]


def session_rows(invitation_id: int) -> SessionRows | None:
    """The active invitation `invitation_id` (rule of `Invitation.objects.active()`), or None.

    Two plain queries: the invitation joined to its target, campaign, edition (questionnaire text
    left deferred) and response; then the response's answers. Related instances are cached on each
    other as `select_related` would (`invitation.target.campaign.edition`, `invitation.response`).
    """
    connection = connections[router.db_for_read(Invitation)]
    sql, converters = _session_sql(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, active_invitation_params(connection, invitation_id))
        row = cursor.fetchone()
        if row is None:
            return None
        built = []
        start = 0
        for part, part_converters in zip(SESSION_PARTS, converters, strict=True):
            end = start + len(part.fields)
            built.append(part.build(connection, part_converters, row[start:end]))
            start = end
        invitation, target, campaign, edition, response = built
        answers: dict[str, str] = {}
        if response is not None:
            cursor.execute(
                f"SELECT question_id, value FROM {connection.ops.quote_name(Answer._meta.db_table)} "
                f"WHERE response_id = %s",
                [response.pk],
            )
            answers = dict(cursor.fetchall())
    campaign.edition = edition
    target.campaign = campaign
    invitation.target = target
    Invitation.response.related.set_cached_value(invitation, response)
    if response is not None:
        Response.invitation.field.set_cached_value(response, invitation)
        Response.campaign.field.set_cached_value(response, campaign)
    return SessionRows(invitation, response, answers)
