"""Lean reads of the autosave path: one SQL query for the session's invitation, response, answers.

Each worker process also remembers, per invitation, the state its last autosave left (version and
answers). The next autosave of the same person then skips the read: its write is guarded (same
version, same invitation, invitation still active, checked by the write statement itself) and
when anything differs (another worker or agent wrote, the link was revoked, the campaign closed)
nothing is written and the request starts again from a fresh read. Versions only grow and every
change of answers bumps the version, so an entry at the version found in the database holds
exactly the stored answers.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connections, router
from django.utils.dateparse import parse_datetime

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
from barometre.collection.respondent.questionnaires import edition_key, questionnaire_by_key
from barometre.questionnaire.model import Questionnaire

_REMEMBERED: OrderedDict[tuple[str, int], AutosaveState] = OrderedDict()
_REMEMBERED_LOCK = threading.Lock()
REMEMBERED_MAX = 4096


@dataclass(frozen=True)
class AutosaveState:
    """What an autosave needs about the session's active invitation and its response."""

    invitation_id: int
    response_id: int | None
    version: int
    status: str
    campaign_id: int
    edition_key: tuple
    answers: Mapping[str, str] = field(default_factory=dict)
    token_hash: str = ""  # of the invitation's current link (rotation changes it)


def _state_sql() -> str:
    """One query: an active invitation, its campaign, edition, response and answers (a row each)."""
    inv, tgt = Invitation._meta.db_table, Target._meta.db_table
    cmp, edi, rsp = Campaign._meta.db_table, Edition._meta.db_table, Response._meta.db_table
    ans = Answer._meta.db_table
    return (
        f"SELECT i.id, r.id, r.version, r.status, c.id, e.id, e.slug, e.created_at, "
        f"a.question_id, a.value, i.token_hash "
        f"FROM {inv} i JOIN {tgt} t ON t.id = i.target_id "
        f"JOIN {cmp} c ON c.id = t.campaign_id JOIN {edi} e ON e.id = c.edition_id "
        f"LEFT JOIN {rsp} r ON r.invitation_id = i.id "
        f"LEFT JOIN {ans} a ON a.response_id = r.id "
        f"WHERE {ACTIVE_INVITATION_SQL}"
    )


def _as_datetime(value: object) -> datetime:
    """A timestamp as read by a raw cursor (SQLite may give text, PostgreSQL a datetime)."""
    return value if isinstance(value, datetime) else parse_datetime(str(value))


def autosave_state(invitation_id: int) -> AutosaveState | None:
    """The state of an active invitation (same rule as `Invitation.objects.active()`), or None.

    Version and answers come from the same statement, hence from one consistent snapshot.
    """
    connection = connections[router.db_for_read(Invitation)]
    with connection.cursor() as cursor:
        cursor.execute(_state_sql(), active_invitation_params(connection, invitation_id))
        rows = cursor.fetchall()
    if not rows:
        return None
    row = rows[0]
    return AutosaveState(
        invitation_id=row[0],
        response_id=row[1],
        version=row[2] or 0,
        status=row[3] or "",
        campaign_id=row[4],
        edition_key=edition_key(connection.alias, row[5], row[6], _as_datetime(row[7])),
        answers={r[8]: r[9] for r in rows if r[8] is not None},
        token_hash=row[10],
    )


def state_questionnaire(state: AutosaveState) -> Questionnaire:
    """The edition's questionnaire, parsed once per process (an edition's YAML never changes)."""
    db, pk = state.edition_key[0], state.edition_key[1]
    return questionnaire_by_key(
        state.edition_key,
        lambda: Edition.objects.using(db).only("questionnaire_yaml").get(pk=pk).questionnaire_yaml,
    )


def _remember_key(invitation_id: int) -> tuple[str, int]:
    return (router.db_for_write(Response), int(invitation_id))


def remembered_state(invitation_id: int) -> AutosaveState | None:
    """The state this process's last autosave of the invitation left, if it still has it."""
    with _REMEMBERED_LOCK:
        return _REMEMBERED.get(_remember_key(invitation_id))


def remember_state(state: AutosaveState, version: int, answers: Mapping[str, str]) -> None:
    """Remember the state after a save (at most `REMEMBERED_MAX` invitations, oldest first out)."""
    wrote = version != state.version
    draft = state.status == Response.Status.DRAFT
    saved = dataclasses.replace(
        state,
        version=version,
        status=Response.Status.PARTIAL if wrote and draft else state.status,
        answers=dict(answers),
    )
    key = _remember_key(state.invitation_id)
    with _REMEMBERED_LOCK:
        _REMEMBERED[key] = saved
        _REMEMBERED.move_to_end(key)
        while len(_REMEMBERED) > REMEMBERED_MAX:
            _REMEMBERED.popitem(last=False)


def forget_state(invitation_id: int | None = None) -> None:
    """Forget the remembered state of one invitation (of all of them when None)."""
    with _REMEMBERED_LOCK:
        if invitation_id is None:
            _REMEMBERED.clear()
        else:
            _REMEMBERED.pop(_remember_key(invitation_id), None)
