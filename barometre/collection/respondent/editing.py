"""Saving a respondent's changes without ever overwriting another person's edit silently."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from barometre.collection.models import Answer, Response
from barometre.collection.services import StaleVersion, normalise_answer, save_answers

MAX_RETRIES = 5


@dataclass
class EditConflict(Exception):
    """Another person changed some of the same questions since this page was read."""

    questions: list[str]
    current: dict[str, str] = field(default_factory=dict)
    version: int = 0


def parse_base(text: str | None) -> dict[str, str] | None:
    """The answers the client last saw ({question_id: value}), from its JSON field; None if absent."""
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    return {str(k): "" if v is None else str(v) for k, v in data.items()}


def changed_values(
    values: Mapping[str, str | None], base: Mapping[str, str] | None
) -> dict[str, str | None]:
    """Only the values the person actually changed (all of them when the base is unknown)."""
    if base is None:
        return dict(values)
    return {qid: v for qid, v in values.items() if (v or "") != base.get(qid, "")}


def save_changes(
    response: Response,
    values: Mapping[str, str | None],
    expected_version: int,
    base: Mapping[str, str] | None,
    updated_by: str = "répondant",
    snapshot: tuple[int, Mapping[str, str]] | None = None,
    *,
    active_invitation: int | None = None,
    on_saved: Callable[[int, dict[str, str]], None] | None = None,
) -> int:
    """Save the values the person changed; return the new version of the response.

    With a `base` (the values the person had on screen), every save is a three-way check: a
    question changed by someone else since (stored value differs from the base and from the new
    value) raises `EditConflict` and nothing is written; edits of other questions merge. The
    version is read with the answers and checked again by `save_answers` (retried if it moved in
    between). Without a base, the client's `expected_version` must still be current.
    `snapshot` (version, answers) read earlier in the request saves the first re-read: the answers
    were read after the version, so a write in between only makes `save_answers` retry.
    `active_invitation` guards the write (see `save_answers`; `GuardFailed` is not retried here).
    `on_saved(version, answers)` receives every stored answer after a save made on the snapshot.
    """
    changes = changed_values(values, base)
    if not changes:
        return expected_version
    if base is None:
        try:
            return save_answers(
                response,
                changes,
                expected_version,
                updated_by=updated_by,
                active_invitation=active_invitation,
            )
        except StaleVersion as exc:
            raise EditConflict(list(changes), {}, exc.current_version) from exc
    for _ in range(MAX_RETRIES):
        whole = snapshot is not None
        if snapshot is not None:
            version, current = snapshot[0], dict(snapshot[1])
            snapshot = None
        else:
            version = (
                Response.objects.filter(pk=response.pk).values_list("version", flat=True).get()
            )
            current = dict(
                Answer.objects.filter(
                    response_id=response.pk, question_id__in=list(changes)
                ).values_list("question_id", "value")
            )
        clashing = [
            qid
            for qid, value in changes.items()
            if current.get(qid, "") != base.get(qid, "") and current.get(qid, "") != (value or "")
        ]
        if clashing:
            raise EditConflict(clashing, current, version)
        pending = {qid: v for qid, v in changes.items() if current.get(qid, "") != (v or "")}
        if not pending:
            if whole and on_saved is not None:
                on_saved(version, current)
            return version
        try:
            new_version = save_answers(
                response,
                pending,
                version,
                updated_by=updated_by,
                active_invitation=active_invitation,
            )
        except StaleVersion:
            continue
        if whole and on_saved is not None:
            for qid, value in pending.items():
                stored = normalise_answer(value)
                if stored is None:
                    current.pop(qid, None)
                else:
                    current[qid] = stored
            on_saved(new_version, current)
        return new_version
    raise EditConflict(list(changes), {}, expected_version)
