"""Rate limiting of private-link pages (token guessing) and redaction of tokens in request logs."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

TOKEN_IN_PATH = re.compile(r"(/r/)[A-Za-z0-9_\-]{40,}")


def client_key(request: HttpRequest) -> str:
    """Cache key of the client address (hashed; behind a proxy, set REMOTE_ADDR from it)."""
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    return "tokfail:" + hashlib.sha256(address.encode()).hexdigest()[:32]


class TokenRateLimitMiddleware:
    """Answer 429 to a client that made too many failed private-link look-ups in the window.

    Only failures (404 answers under `BAROMETRE_TOKEN_PATH_PREFIX`) are counted, so a respondent
    autosaving often is never slowed down while someone guessing tokens is stopped quickly.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        prefix = getattr(settings, "BAROMETRE_TOKEN_PATH_PREFIX", "/r/")
        if not request.path.startswith(prefix):
            return self.get_response(request)
        key = client_key(request)
        limit = settings.BAROMETRE_TOKEN_FAILURES_LIMIT
        if (cache.get(key) or 0) >= limit:
            return HttpResponse(
                "Trop de tentatives avec des liens invalides. Réessayez plus tard.",
                status=429,
                content_type="text/plain; charset=utf-8",
                headers={"Retry-After": str(settings.BAROMETRE_TOKEN_FAILURES_WINDOW)},
            )
        response = self.get_response(request)
        if response.status_code == 404:
            window = settings.BAROMETRE_TOKEN_FAILURES_WINDOW
            if not cache.add(key, 1, window):
                try:
                    cache.incr(key)
                except ValueError:  # expired between add and incr
                    cache.add(key, 1, window)
        return response


def redact(text: str) -> str:
    """Replace private-link tokens in a URL or log line by `…`."""
    return TOKEN_IN_PATH.sub(r"\1…", text)


class RedactTokenFilter(logging.Filter):
    """Logging filter that removes private-link tokens from request log records."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(str(record.msg))
        if record.args and not isinstance(record.args, dict):
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in args)
        return True
