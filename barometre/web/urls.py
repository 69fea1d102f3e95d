"""Root URLs: public home `/` (published editions), dashboard under /tableau-de-bord/, operator
back office under /operateur/, respondent private links under /r/."""

from __future__ import annotations

import importlib.util

from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from barometre.web.dashboard.views import home


def _exists(module: str) -> bool:
    """True when `module` can be imported (lets the project start while an area is being built)."""
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """`/favicon.ico`, asked by browsers and tools that ignore `<link rel="icon">`."""
    return HttpResponsePermanentRedirect(static("barometre/favicon.svg"))


urlpatterns = [
    path("favicon.ico", favicon),
    path("", home, name="home"),
    path("operateur/initiatives/", include("barometre.web.initiatives_review.urls")),
    path("operateur/", include("barometre.collection.operator.urls")),
    path("tableau-de-bord/", include("barometre.web.dashboard.urls")),
]
if _exists("barometre.collection.respondent.urls"):
    urlpatterns.append(path("r/", include("barometre.collection.respondent.urls")))
