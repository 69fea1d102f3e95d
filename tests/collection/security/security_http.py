"""Helpers of the adversarial tests: an HTTP client of the live server, database counts, a world.

Every test here plays a hostile or careless user with `requests` (cookies, CSRF token, no
redirects followed) and checks the database before and after each refused input. The module
fixtures build a small world on the real register: a campaign straddling Finistère (29) and
Ille-et-Vilaine (35), a campaign inside Finistère, and accounts of every role scoped to 29.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import requests
from django.contrib.auth import get_user_model

PASSWORD = "mot-de-passe-de-test-{name}"
RESPONDENT_YAML = (
    Path(__file__).resolve().parents[1] / "respondent" / "respondent_questionnaire.yaml"
).read_text(encoding="utf-8")
IN_29 = ("29019", "29232", "242900314")  # Brest, Quimper, Brest Métropole (EPCI seated in 29)
IN_35 = ("35238", "243500139")  # Rennes, Rennes Métropole


class Http:
    """A browser-like client of the live server: cookies, CSRF token and Referer, no redirect."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = requests.Session()

    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.base + path

    def get(self, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        return self.session.get(self.url(path), timeout=120, **kwargs)

    def csrf(self) -> str:
        """The CSRF token of this client's cookie (fetched from the login page when missing)."""
        if "csrftoken" not in self.session.cookies:
            self.get("/operateur/connexion/")
        return self.session.cookies["csrftoken"]

    def post(self, path: str, data=None, files=None, **kwargs) -> requests.Response:
        """POST a form with the CSRF token, as the browser would."""
        payload = dict(data or {})
        payload.setdefault("csrfmiddlewaretoken", self.csrf())
        headers = {"Referer": self.url(path), **kwargs.pop("headers", {})}
        kwargs.setdefault("allow_redirects", False)
        return self.session.post(
            self.url(path), data=payload, files=files, headers=headers, timeout=120, **kwargs
        )

    def login(self, username: str, password: str | None = None) -> Http:
        """Log in on the operator login page (asserts success)."""
        answer = self.post(
            "/operateur/connexion/",
            {"username": username, "password": password or PASSWORD.format(name=username)},
        )
        assert answer.status_code == 302, answer.text[:2000]
        return self


def db_counts() -> dict[str, int]:
    """Rows of every table the product writes (users, accounts, campaigns, links, answers…)."""
    from barometre.collection import models

    tables = [
        get_user_model(),
        models.Account,
        models.Edition,
        models.Campaign,
        models.Wave,
        models.Target,
        models.Invitation,
        models.Response,
        models.Answer,
        models.ImportBatch,
    ]
    return {model.__name__: model.objects.count() for model in tables}


def add_register_targets(campaign, codes) -> None:
    """Add register entities to a campaign's targets (strata copied from the register)."""
    from barometre.collection.targets import (
        TargetFilter,
        add_targets,
        register_frame,
        select_entities,
    )

    add_targets(campaign, select_entities(register_frame(), TargetFilter(codes=list(codes))))


def answered(campaign, code: str, *, submit: bool = True, **answers) -> object:
    """A web response of a target (link issued, answers saved, submitted)."""
    from barometre.collection.models import Target
    from barometre.collection.services import (
        issue_invitation,
        response_for,
        save_answers,
        submit_response,
    )

    invitation, _ = issue_invitation(Target.objects.get(campaign=campaign, code=code))
    response = response_for(invitation)
    version = save_answers(response, answers or {"inc_lieux": "oui"}, response.version)
    if submit:
        submit_response(response, version)
    return response


@dataclass
class World:
    """What the adversarial tests play with."""

    base: str
    straddling: object  # campaign with targets in 29 and 35
    finistere: object  # campaign with targets in 29 only
    accounts: dict[str, object] = field(default_factory=dict)

    def client(self, username: str | None = None) -> Http:
        """A fresh HTTP client, logged in as `username` when given."""
        http = Http(self.base)
        return http.login(username) if username else http


def make_account(name: str, role: str, **scope) -> object:
    """A user with an operator account (password `PASSWORD`)."""
    from barometre.collection.models import Account

    user = get_user_model().objects.create_user(
        name, email=f"{name}@example.org", password=PASSWORD.format(name=name)
    )
    return Account.objects.create(user=user, role=role, **scope)
