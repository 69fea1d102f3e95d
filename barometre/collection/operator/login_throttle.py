"""Operator login throttle: failed attempts counted per account name and per address.

Counters live in the shared `limits` store (`barometre.collection.ratelimit.limits_cache`), so
every worker process counts in the same place. Over a limit, the login page refuses every attempt
for that name or from that address — even with the right password — with the same French message
whatever the name (an unknown name is throttled like a real one: no account enumeration), until
the window ends. A successful login clears the name's counter.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from barometre.collection.ratelimit import client_key, count_failure, limits_cache

THROTTLED = (
    "Trop de tentatives de connexion échouées : la connexion est suspendue pendant "
    "{minutes} minutes pour cet identifiant ou depuis cette adresse. Réessayez plus tard ou "
    "demandez à un administrateur de réinitialiser votre mot de passe."
)


def _name_key(username: str) -> str:
    digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]
    return "loginfail:name:" + digest


def _address_key(request) -> str:
    return "loginfail:" + client_key(request)


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, refused (before any password check) once a counter is over."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        keys = (_name_key(username), _address_key(self.request))
        limits = (
            settings.BAROMETRE_LOGIN_FAILURES_PER_NAME,
            settings.BAROMETRE_LOGIN_FAILURES_PER_ADDRESS,
        )
        store = limits_cache()
        window = settings.BAROMETRE_LOGIN_FAILURES_WINDOW
        if any((store.get(key) or 0) >= limit for key, limit in zip(keys, limits, strict=True)):
            raise ValidationError(THROTTLED.format(minutes=max(1, window // 60)), code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError:
            for key in keys:
                count_failure(key, window)
            raise
        store.delete(keys[0])
        return cleaned


class ThrottledLoginView(auth_views.LoginView):
    """The operator login page with `ThrottledAuthenticationForm`."""

    form_class = ThrottledAuthenticationForm
