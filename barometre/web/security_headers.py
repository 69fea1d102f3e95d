"""Content-Security-Policy on every answer of the web application.

Scripts only from the site's own static files (the respondent form's autosave script, the State
theme's bundle): no inline script, no `eval`, no third-party origin, no plugin, no framing, forms
posting only to the site. Inline styles stay allowed (`style` attributes of the server-side SVG
charts and of the report pages): they cannot run code.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

DEFAULT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class ContentSecurityPolicyMiddleware:
    """Add `Content-Security-Policy` (setting `BAROMETRE_CSP`) unless a view set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = getattr(settings, "BAROMETRE_CSP", DEFAULT_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
