"""Services that change responses and resolve private links, safe under concurrent requests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NoReturn

from django.db import IntegrityError, connections, router, transaction
from django.db.models import F
from django.utils import timezone

from barometre.collection.models import (
    ACTIVE_INVITATION_SQL,
    Answer,
    Campaign,
    Invitation,
    Response,
    Target,
    active_invitation_params,
    hash_token,
    new_token,
)
from barometre.collection.sqlite_writes import single_writer

MAX_TOKEN_LENGTH = 200


class StaleVersion(Exception):
    """The response changed since the client read it (optimistic concurrency check failed)."""

    def __init__(self, current_version: int) -> None:
        super().__init__(f"La réponse a été modifiée entre-temps (version {current_version}).")
        self.current_version = current_version


class ResponseLocked(Exception):
    """The response is submitted (and not reopened): it can no longer be changed."""


class GuardFailed(Exception):
    """A save from remembered state found the response or its invitation no longer as remembered.

    Nothing was written; the caller reads the state afresh and takes the general path.
    """


def _active_invitation_sql(connection, invitation_id: int, now) -> tuple[str, list[object]]:
    """`AND …` condition: the response is that invitation's and the invitation is active."""
    inv, tgt, cmp = Invitation._meta.db_table, Target._meta.db_table, Campaign._meta.db_table
    token_hash = getattr(invitation_id, "token_hash", None)
    same_link = " AND i.token_hash = %s" if token_hash is not None else ""
    sql = (
        f" AND invitation_id = %s AND EXISTS (SELECT 1 FROM {inv} i "
        f"JOIN {tgt} t ON t.id = i.target_id JOIN {cmp} c ON c.id = t.campaign_id "
        f"WHERE {ACTIVE_INVITATION_SQL}{same_link})"
    )
    params = [int(invitation_id), *active_invitation_params(connection, invitation_id, now)]
    return sql, params + ([token_hash] if token_hash is not None else [])


def resolve_token(raw: str | None) -> Invitation | None:
    """The active invitation of a raw link token, or None (unknown, revoked, expired, closed alike)."""
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        return None
    return (
        Invitation.objects.active()
        .select_related("target__campaign__edition")
        .filter(token_hash=hash_token(raw))
        .first()
    )


def issue_invitation(target: Target) -> tuple[Invitation, str]:
    """Create (or re-key) the invitation of a target; return it with its raw token, shown once."""
    raw = new_token()
    invitation, created = Invitation.objects.get_or_create(
        target=target,
        defaults={"token_hash": hash_token(raw), "expires_at": target.campaign.closes_at},
    )
    if not created:
        raw = invitation.rotate_token()
    return invitation, raw


def response_for(invitation: Invitation) -> Response:
    """The response of an invitation, created as a draft on first access."""
    try:
        return invitation.response
    except Response.DoesNotExist:
        pass
    target = invitation.target
    try:
        with transaction.atomic():
            response = Response.objects.create(
                campaign_id=target.campaign_id, code=target.code, invitation=invitation
            )
            Invitation.objects.filter(pk=invitation.pk, first_opened_at__isnull=True).update(
                first_opened_at=timezone.now()
            )
            return response
    except IntegrityError:  # created by a concurrent request
        return Response.objects.get(invitation=invitation)


def normalise_answer(value: object) -> str | None:
    """Text stored for one answer value; None means "clear this answer"."""
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() != "" else None
    if isinstance(value, Sequence):
        joined = " ".join(str(v) for v in value)
        return joined or None
    if isinstance(value, bool):
        return "oui" if value else "non"
    return str(value)


def _bump(
    response: Response, expected_version: int, *, allow_complete: bool = False, **changes
) -> int:
    """Increase the version of `response` if it is still `expected_version`; return the new one.

    Must run inside a transaction. On PostgreSQL the row is first locked with SELECT … FOR UPDATE;
    on both back ends the `UPDATE … WHERE version = expected` decides.
    """
    db = router.db_for_write(Response)
    if connections[db].features.has_select_for_update:
        list(Response.objects.using(db).select_for_update().filter(pk=response.pk).values("pk"))
    rows = Response.objects.using(db).filter(pk=response.pk, version=expected_version)
    if not allow_complete:
        rows = rows.exclude(status=Response.Status.COMPLETE)
    if rows.update(version=F("version") + 1, **changes) == 1:
        return expected_version + 1
    current = Response.objects.using(db).filter(pk=response.pk).values("version", "status").first()
    if current is None:
        raise Response.DoesNotExist(response.pk)
    if current["version"] != expected_version:
        raise StaleVersion(current["version"])
    raise ResponseLocked("La réponse a déjà été transmise.")


def _bump_statement(
    connection, response_id: int, expected_version: int, now, active_invitation: int | None
) -> tuple[str, list[object]]:
    """The version-checked `UPDATE` of a save of answers (a draft becomes partial), its params.

    `UPDATE … WHERE version = expected AND status <> complete` is atomic on both back ends: a
    concurrent writer of the same row waits for the lock, then sees the new version and updates
    nothing. With `active_invitation`, the row must also belong to that invitation and the
    invitation be active.
    """
    guard, guard_params = (
        _active_invitation_sql(connection, active_invitation, now)
        if active_invitation is not None
        else ("", [])
    )
    sql = (
        f"UPDATE {Response._meta.db_table} SET version = version + 1, updated_at = %s, "
        f"status = CASE WHEN status = %s THEN %s ELSE status END "
        f"WHERE id = %s AND version = %s AND status <> %s{guard}"
    )
    params = [
        connection.ops.adapt_datetimefield_value(now),
        Response.Status.DRAFT,
        Response.Status.PARTIAL,
        response_id,
        expected_version,
        Response.Status.COMPLETE,
        *guard_params,
    ]
    return sql, params


def _refused_write(
    cursor, response_id: int, expected_version: int, active_invitation: int | None
) -> NoReturn:
    """Raise why the version-checked `UPDATE` matched no row (guarded: `GuardFailed`, no read)."""
    if active_invitation is not None:
        raise GuardFailed(response_id)
    cursor.execute(f"SELECT version FROM {Response._meta.db_table} WHERE id = %s", [response_id])
    row = cursor.fetchone()
    if row is None:
        raise Response.DoesNotExist(response_id)
    if row[0] != expected_version:
        raise StaleVersion(row[0])
    raise ResponseLocked("La réponse a déjà été transmise.")


def _bump_for_answers(
    connection, response_id: int, expected_version: int, now, active_invitation: int | None = None
) -> int:
    """`_bump` for a save of answers, in one plain statement (the hot path of every autosave)."""
    sql, params = _bump_statement(connection, response_id, expected_version, now, active_invitation)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount == 1:
            return expected_version + 1
        _refused_write(cursor, response_id, expected_version, active_invitation)


def _upsert_answers(
    connection, response_id: int, values: Mapping[str, str], now, updated_by: str
) -> None:
    """Insert or update answers in one `INSERT … ON CONFLICT DO UPDATE` (SQLite and PostgreSQL)."""
    table = Answer._meta.db_table
    stamp = connection.ops.adapt_datetimefield_value(now)
    rows = ", ".join(["(%s, %s, %s, %s, %s)"] * len(values))
    params: list[object] = []
    for qid, value in values.items():
        params += [response_id, qid, value, stamp, updated_by]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (response_id, question_id, value, updated_at, updated_by) "
            f"VALUES {rows} ON CONFLICT (response_id, question_id) DO UPDATE SET "
            f"value = EXCLUDED.value, updated_at = EXCLUDED.updated_at, "
            f"updated_by = EXCLUDED.updated_by",
            params,
        )


def _save_answers_in_one_statement(
    connection,
    response_id: int,
    expected_version: int,
    values: Mapping[str, str | None],
    now,
    updated_by: str,
    active_invitation: int | None = None,
) -> int:
    """PostgreSQL: version check, clearing and upsert of answers in one atomic statement.

    Data-modifying CTEs run once each, in one snapshot: when the version-checked `UPDATE` matches
    no row, the `DELETE` and the `INSERT … ON CONFLICT DO UPDATE` that hang on it touch nothing.
    One round trip instead of five (BEGIN, UPDATE, DELETE/INSERT, COMMIT).
    """
    answer_table = Answer._meta.db_table
    stamp = connection.ops.adapt_datetimefield_value(now)
    bump, params = _bump_statement(
        connection, response_id, expected_version, now, active_invitation
    )
    parts = [f"WITH bumped AS ({bump} RETURNING id, version)"]
    cleared = [qid for qid, v in values.items() if v is None]
    if cleared:
        marks = ", ".join(["%s"] * len(cleared))
        parts.append(
            f"cleared AS (DELETE FROM {answer_table} WHERE response_id IN "
            f"(SELECT id FROM bumped) AND question_id IN ({marks}))"
        )
        params += cleared
    kept = {qid: v for qid, v in values.items() if v is not None}
    if kept:
        rows = ", ".join(["(%s, %s)"] * len(kept))
        parts.append(
            f"upserted AS (INSERT INTO {answer_table} "
            f"(response_id, question_id, value, updated_at, updated_by) "
            f"SELECT bumped.id, v.question_id, v.value, %s, %s "
            f"FROM bumped CROSS JOIN (VALUES {rows}) AS v (question_id, value) "
            f"ON CONFLICT (response_id, question_id) DO UPDATE SET value = EXCLUDED.value, "
            f"updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by)"
        )
        params += [stamp, updated_by]
        for qid, value in kept.items():
            params += [qid, value]
    sql = ", ".join(parts) + " SELECT version FROM bumped"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        if row is not None:
            return row[0]
        _refused_write(cursor, response_id, expected_version, active_invitation)


def save_answers(
    response: Response,
    answers: Mapping[str, object],
    expected_version: int,
    updated_by: str = "répondant",
    *,
    active_invitation: int | None = None,
) -> int:
    """Store answers atomically if the response is still at `expected_version`; return the new one.

    Values: a string (a choice code, a number, free text), a list of codes (stored space-separated)
    or None / "" to clear the answer. Raises `StaleVersion` when the version moved, `ResponseLocked`
    when the response was submitted. A draft response becomes `partial`.

    `active_invitation` (a save from remembered state, see `respondent.autosaving`): the same
    statement also checks that the response belongs to this invitation and that the invitation is
    still active; if anything differs nothing is written and `GuardFailed` is raised.
    """
    now = timezone.now()
    db = router.db_for_write(Response)
    connection = connections[db]
    if connection.vendor == "postgresql":
        values = {qid: normalise_answer(v) for qid, v in answers.items()}
        new_version = _save_answers_in_one_statement(
            connection, response.pk, expected_version, values, now, updated_by, active_invitation
        )
        response.version = new_version
        response.updated_at = now
        if response.status == Response.Status.DRAFT:
            response.status = Response.Status.PARTIAL
        return new_version
    with single_writer(connection), transaction.atomic(using=db):
        new_version = _bump_for_answers(
            connection, response.pk, expected_version, now, active_invitation
        )
        values = {qid: normalise_answer(v) for qid, v in answers.items()}
        cleared = [qid for qid, v in values.items() if v is None]
        if cleared:
            Answer.objects.using(db).filter(
                response_id=response.pk, question_id__in=cleared
            ).delete()
        kept = {qid: v for qid, v in values.items() if v is not None}
        if kept:
            _upsert_answers(connection, response.pk, kept, now, updated_by)
    response.version = new_version
    response.updated_at = now
    if response.status == Response.Status.DRAFT:
        response.status = Response.Status.PARTIAL
    return new_version


def submit_response(response: Response, expected_version: int, respondent_role: str = "") -> int:
    """Mark the response complete (submitted now) if still at `expected_version`; return the new one."""
    now = timezone.now()
    changes: dict[str, object] = {
        "status": Response.Status.COMPLETE,
        "submitted_at": now,
        "updated_at": now,
    }
    if respondent_role:
        changes["respondent_role"] = respondent_role
    with transaction.atomic(using=router.db_for_write(Response)):
        new_version = _bump(response, expected_version, **changes)
    response.version = new_version
    response.status = Response.Status.COMPLETE
    response.submitted_at = now
    response.updated_at = now
    if respondent_role:
        response.respondent_role = respondent_role
    return new_version


def reopen_response(response: Response, expected_version: int) -> int:
    """Reopen a submitted response (campaign open and `allow_reopen` set); return the new version."""
    campaign: Campaign = response.campaign
    if not (campaign.allow_reopen and campaign.is_open):
        raise ResponseLocked("Cette campagne ne permet pas de modifier une réponse transmise.")
    with transaction.atomic(using=router.db_for_write(Response)):
        new_version = _bump(
            response,
            expected_version,
            allow_complete=True,
            status=Response.Status.PARTIAL,
            reopened=True,
            updated_at=timezone.now(),
        )
    response.version = new_version
    response.status = Response.Status.PARTIAL
    response.reopened = True
    return new_version
