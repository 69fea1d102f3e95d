"""Respondent sessions in a signed cookie (no database read per request); operators keep theirs."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.sessions.backends.signed_cookies import SessionStore as SignedCookieStore
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date

RESPONDENT_SESSION_COOKIE = "barometre_repondant"


class RespondentSessionMiddleware(SessionMiddleware):
    """Sessions: a signed cookie scoped to the respondent pages, the usual engine elsewhere.

    A respondent session holds only the invitation id and a random contributor label, and every
    request checks again in the database that the invitation is active, so a revoked link still
    ends the session at once. Operators' sessions (authentication) stay server-side.
    """

    def _is_respondent(self, request: HttpRequest) -> bool:
        """True for the private-link pages (`BAROMETRE_TOKEN_PATH_PREFIX`)."""
        return request.path.startswith(settings.BAROMETRE_TOKEN_PATH_PREFIX)

    def process_request(self, request: HttpRequest) -> None:
        """Attach the respondent's signed-cookie session, or the usual one."""
        if self._is_respondent(request):
            request.session = SignedCookieStore(request.COOKIES.get(RESPONDENT_SESSION_COOKIE))
        else:
            super().process_request(request)

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        """Write back (or delete) the respondent's cookie when its session changed."""
        if not self._is_respondent(request):
            return super().process_response(request, response)
        session = getattr(request, "session", None)
        if session is None:
            return response
        path = settings.BAROMETRE_TOKEN_PATH_PREFIX
        if RESPONDENT_SESSION_COOKIE in request.COOKIES and session.is_empty():
            response.delete_cookie(
                RESPONDENT_SESSION_COOKIE, path=path, samesite=settings.SESSION_COOKIE_SAMESITE
            )
        elif session.modified and not session.is_empty() and response.status_code < 500:
            session.save()
            max_age = session.get_expiry_age()
            response.set_cookie(
                RESPONDENT_SESSION_COOKIE,
                session.session_key,
                max_age=max_age,
                expires=http_date(time.time() + max_age),
                path=path,
                secure=settings.SESSION_COOKIE_SECURE or None,
                httponly=True,
                samesite=settings.SESSION_COOKIE_SAMESITE,
            )
        if session.accessed or session.modified:
            patch_vary_headers(response, ("Cookie",))
        return response
