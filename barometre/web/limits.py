"""Request limits of the web app: a cap on the size of any request body, French refusal pages."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from barometre.collection.uploads import megabytes

DEFAULT_MAX_REQUEST_BYTES = 50_000_000


class RequestSizeLimitMiddleware:
    """Answer 413 (French page) to a request whose declared body exceeds the cap, before reading it.

    Django bounds form fields (`DATA_UPLOAD_MAX_MEMORY_SIZE`) but not uploaded files, which it
    streams to disk: without this cap a single upload could fill the disk. The cap
    (`BAROMETRE_MAX_REQUEST_BYTES`, 50 MB by default) is judged on `Content-Length`; WSGI servers
    give the application no more than that many bytes. Forms then apply smaller per-field caps
    with a message naming the field.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = getattr(settings, "BAROMETRE_MAX_REQUEST_BYTES", DEFAULT_MAX_REQUEST_BYTES)
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0
        if size > limit:
            response = render(
                request,
                "413.html",
                {"size": megabytes(size), "limit": megabytes(limit)},
                status=413,
            )
            return response
        return self.get_response(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The French page of a refused form (CSRF check failed): nothing was saved."""
    return render(request, "403_csrf.html", status=403)
