"""Server time of the operator pages on a national campaign (≈ 36 000 targets).

Builds the national campaign of the tests (`tests/collection/national_campaign.py`) in a fresh
database (a SQLite file in a temporary folder, or a PostgreSQL database created for the run and
dropped after), then renders each operator page through Django's full request stack (middleware,
session, view, template) with the test client, logged in as the national administrator. Reports
the median and max of `--repeat` renders per page, each page's ratio to the campaign page (a light
operator page: a few small queries), measured side by side in the same run, and the median CPU time
of this process per render (on SQLite it includes the database work; it moves much less than the
wall time when other programs load the machine; on PostgreSQL the server's CPU is not counted).

    .venv/bin/python bench/collection/bench_operator_pages.py
    .venv/bin/python bench/collection/bench_operator_pages.py --db postgres://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOAL_MS = 300


def setup(db: str) -> str | None:
    """Configure Django on a fresh database; return the PostgreSQL database to drop, if any."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "barometre.web.settings.local"
    os.environ.setdefault("BAROMETRE_SECRET_KEY", "bench-" + "x" * 60)
    dropped = None
    if db == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="bench-operator-"))
        os.environ["BAROMETRE_DB"] = str(folder / "bench.sqlite3")
        os.environ.pop("DATABASE_URL", None)
    else:
        import psycopg

        name = f"bench_operator_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(db, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        base, _, _ = db.rpartition("/")
        os.environ["DATABASE_URL"] = f"{base}/{name}"
        dropped = name
    sys.path.insert(0, str(ROOT))
    from barometre.web.bootstrap import setup_django

    setup_django(settings_module="barometre.web.settings.local")
    return dropped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="sqlite", help="sqlite, or a PostgreSQL URL")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    dropped = setup(args.db)
    try:
        run(args)
    finally:
        if dropped:
            from django.db import connections

            connections.close_all()
            import psycopg

            with psycopg.connect(args.db, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{dropped}"')


def run(args: argparse.Namespace) -> None:
    from django.test import Client
    from django.urls import reverse

    from tests.collection.national_campaign import build_national_campaign

    start = time.perf_counter()
    national = build_national_campaign()
    print(
        f"campagne nationale : {national.target_count} cibles, construite en "
        f"{time.perf_counter() - start:.1f} s"
    )
    pk = national.campaign.pk
    pages = {
        "campagne (référence)": reverse("operator:campaign", args=[pk]),
        "suivi": reverse("operator:monitoring", args=[pk]),
        "suivi par région": reverse("operator:monitoring", args=[pk]) + "?strate=region",
        "invitations": reverse("operator:invitations", args=[pk]),
        "invitations complètes": reverse("operator:invitations", args=[pk]) + "?statut=complete",
        "invitations recherche": reverse("operator:invitations", args=[pk]) + "?q=saint",
        "cibles": reverse("operator:targets", args=[pk]),
        "journal": reverse("operator:audit"),
        "campagnes": reverse("operator:home"),
    }
    client = Client(HTTP_HOST="localhost")
    client.force_login(national.admin)
    timings: dict[str, list[float]] = {name: [] for name in pages}
    cpu: dict[str, list[float]] = {name: [] for name in pages}
    for name, url in pages.items():  # warm-up: caches, register load, template compilation
        assert client.get(url).status_code == 200, name
    for _ in range(args.repeat):
        for name, url in pages.items():  # interleaved: every page sees the same machine load
            t0, c0 = time.perf_counter(), time.process_time()
            response = client.get(url)
            timings[name].append((time.perf_counter() - t0) * 1000)
            cpu[name].append((time.process_time() - c0) * 1000)
            assert response.status_code == 200, name
    reference = statistics.median(timings["campagne (référence)"])
    print(f"load: {os.getloadavg()[0]:.2f} (1 min), base {args.db.split('@')[-1]}")
    print(f"{'page':<26} {'médiane ms':>10} {'max ms':>8} {'× réf.':>7} {'CPU ms':>7}")
    for name, values in timings.items():
        median = statistics.median(values)
        print(
            f"{name:<26} {median:>10.1f} {max(values):>8.1f} {median / reference:>7.1f} "
            f"{statistics.median(cpu[name]):>7.1f}"
        )
    suivi = statistics.median(timings["suivi"])
    print(f"objectif suivi < {GOAL_MS} ms : {'atteint' if suivi < GOAL_MS else 'NON atteint'}")


if __name__ == "__main__":
    main()
