"""Rate limiting of private-link pages (token guessing) and redaction of tokens in request logs."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.http import HttpRequest, HttpResponse

TOKEN_IN_PATH = re.compile(r"(/r/)[A-Za-z0-9_\-]{40,}")
# Pages of an open respondent session, directly under the prefix (never a token).
SESSION_PAGES = frozenset(
    {
        "accueil",
        "relecture",
        "accuse-de-reception",
        "accuse-de-reception.pdf",
        "rouvrir",
        "positionnement",
    }
)


def client_key(request: HttpRequest) -> str:
    """Cache key of the client address (hashed; behind a proxy, set REMOTE_ADDR from it)."""
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    return "tokfail:" + hashlib.sha256(address.encode()).hexdigest()[:32]


def limits_cache() -> BaseCache:
    """The store of the failure counters, shared by every worker process (`CACHES["limits"]`)."""
    return caches["limits"] if "limits" in settings.CACHES else caches["default"]


def count_failure(key: str, window: int) -> None:
    """One more failure under `key` for `window` seconds (created at 1)."""
    store = limits_cache()
    if not store.add(key, 1, window):
        try:
            store.incr(key)
        except ValueError:  # expired between add and incr
            store.add(key, 1, window)


class TokenRateLimitMiddleware:
    """Answer 429 to a client that made too many failed private-link look-ups in the window.

    Only the link itself (`/r/<token>/`) is a look-up: its failures (404) are counted, in the
    shared `limits` store, and only a look-up is refused once the address is over the limit.
    The pages of an open session (`/r/accueil/`, `/r/questionnaire/…`, autosaves) carry no token:
    they are never counted nor slowed down, so a respondent already answering from an address
    that someone else uses for guessing keeps working.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        prefix = getattr(settings, "BAROMETRE_TOKEN_PATH_PREFIX", "/r/")
        if not request.path.startswith(prefix) or not _is_link_lookup(request.path, prefix):
            return self.get_response(request)
        key = client_key(request)
        if (limits_cache().get(key) or 0) >= settings.BAROMETRE_TOKEN_FAILURES_LIMIT:
            return HttpResponse(
                "Trop de tentatives avec des liens invalides. Réessayez plus tard.",
                status=429,
                content_type="text/plain; charset=utf-8",
                headers={"Retry-After": str(settings.BAROMETRE_TOKEN_FAILURES_WINDOW)},
            )
        response = self.get_response(request)
        if response.status_code == 404:
            count_failure(key, settings.BAROMETRE_TOKEN_FAILURES_WINDOW)
        return response


def _is_link_lookup(path: str, prefix: str) -> bool:
    """True for `/r/<token>/`: one path segment after the prefix that is not a session page."""
    rest = path[len(prefix) :].strip("/")
    return bool(rest) and "/" not in rest and rest not in SESSION_PAGES


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
