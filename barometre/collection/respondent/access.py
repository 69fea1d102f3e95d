"""Respondent access: the private link is exchanged for a session, then URLs carry no token.

Rate limiting of link look-ups is done by `barometre.collection.ratelimit.TokenRateLimitMiddleware`
(it counts the 404 answers given here for unknown, revoked and expired links).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from barometre.collection.models import Invitation, Response, link_mark
from barometre.collection.respondent.rows import session_rows
from barometre.collection.services import response_for

SESSION_KEY = "barometre_respondent_invitation"
LINK_KEY = "barometre_respondent_link"  # `link_mark` of the link the session was opened with
PRELOADED_ANSWERS = "_session_answers"
CONTRIBUTOR_KEY = "barometre_respondent_contributor"


def quiet(response: HttpResponse) -> HttpResponse:
    """Mark an error response as already logged, so Django never logs its (token-bearing) path."""
    response._has_been_logged = True  # read by django.utils.log.log_response
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response


def invalid_link(request: HttpRequest) -> HttpResponse:
    """The single answer for an unknown, revoked or expired link (and for a lost session)."""
    return quiet(render(request, "collection/respondent/invalid_link.html", status=404))


def session_invitation(request: HttpRequest) -> Invitation | None:
    """The active invitation bound to this browser session, or None.

    Its target, campaign, edition and response come with it (two plain queries, see
    `respondent.rows`); the response's answers wait on it for `stored_answers`.
    """
    pk = request.session.get(SESSION_KEY)
    if pk is None:
        return None
    rows = session_rows(pk)
    if rows is None or not same_link(request, rows.invitation.token_hash):
        request.session.pop(SESSION_KEY, None)
        return None
    if rows.response is not None:
        rows.response.__dict__[PRELOADED_ANSWERS] = rows.answers
    return rows.invitation


def same_link(request: HttpRequest, token_hash: str) -> bool:
    """True when the session was opened with the invitation's current link (not rotated since)."""
    return request.session.get(LINK_KEY) == link_mark(token_hash)


def stored_answers(response: Response) -> dict[str, str]:
    """The response's answers: those read with the session (once per request), else read now."""
    preloaded = response.__dict__.pop(PRELOADED_ANSWERS, None)
    return dict(preloaded) if preloaded is not None else response.answer_dict()


def bind_session(request: HttpRequest, invitation: Invitation) -> None:
    """Bind the session to an invitation, with a fresh session key (no fixation)."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = invitation.pk
    request.session[LINK_KEY] = link_mark(invitation.token_hash)
    request.session.setdefault(CONTRIBUTOR_KEY, f"répondant {secrets.token_hex(3)}")


def contributor_label(request: HttpRequest) -> str:
    """A short random label of this browser session, recorded as the author of its answers."""
    return request.session.get(CONTRIBUTOR_KEY, "répondant")


ViewFunc = Callable[..., HttpResponse]


def respondent_view(view: ViewFunc) -> ViewFunc:
    """Decorate a view taking (request, invitation, response): needs a session bound to a link."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        invitation = session_invitation(request)
        if invitation is None:
            return invalid_link(request)
        response: Response = response_for(invitation)
        result = view(request, invitation, response, *args, **kwargs)
        result["Cache-Control"] = "no-store"
        return result

    return wrapper
