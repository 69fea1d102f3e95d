"""Load benchmark of the collection app: many respondents autosaving and submitting at once.

Loopback only, bounded in respondents, saves and time. Starts gunicorn on a fresh database
(SQLite file, or a PostgreSQL database created for the run), drives simulated respondents with
aiohttp (private link → session → autosaves of every question → submit), then checks in the
database that every acknowledged answer is stored exactly once with its last value.

    .venv/bin/python bench/load/run_load.py --db sqlite --respondents 200 --saves 20
    .venv/bin/python bench/load/run_load.py --db postgres://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = "dinum-collectivites-numerique-2024"


@dataclass
class Respondent:
    """One simulated respondent and what the server acknowledged."""

    code: str
    token: str
    expected: dict[str, str] = field(default_factory=dict)
    version: int = 0
    submitted: bool = False


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its live children (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        pending.extend(int(c) for c in children)
    return total


def database_backends_cpu(env: dict[str, str], admin_url: str) -> float | None:
    """CPU seconds used so far by the PostgreSQL backends serving the run's database (Linux /proc).

    The server's workers keep their connections (`CONN_MAX_AGE`), so these backends are those of
    the run; other databases on the same PostgreSQL server are not counted. None for SQLite.
    """
    if "DATABASE_URL" not in env:
        return None
    import psycopg

    name = env["DATABASE_URL"].rsplit("/", 1)[-1]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        pids = [
            row[0]
            for row in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", [name]
            ).fetchall()
        ]
    return sum(process_tree_cpu(pid) for pid in pids)


def warm_up(base: str, count: int) -> None:
    """A few requests so that every worker has loaded its templates before measuring."""
    import urllib.request

    for _ in range(count):
        with urllib.request.urlopen(f"{base}/operateur/connexion/", timeout=30) as reply:
            reply.read()


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_env(db: str, folder: Path) -> dict[str, str]:
    """Environment naming a fresh database: a SQLite file, or a new PostgreSQL database."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="barometre.web.settings.local",
        BAROMETRE_SECRET_KEY=secrets.token_urlsafe(50),
        BAROMETRE_PUBLIC_URL="http://127.0.0.1",
    )
    if db == "sqlite":
        env["BAROMETRE_DB"] = str(folder / "load.sqlite3")
        return env
    import psycopg

    name = f"barometre_load_{secrets.token_hex(4)}"
    with psycopg.connect(db, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = re.sub(r"/[^/]*$", f"/{name}", db)
    env["BAROMETRE_CONN_MAX_AGE"] = "600"
    return env


def drop_database(env: dict[str, str], admin_url: str) -> None:
    """Drop the PostgreSQL database created for the run."""
    if "DATABASE_URL" not in env:
        return
    import psycopg

    name = env["DATABASE_URL"].rsplit("/", 1)[-1]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


SETUP = r"""
import json, sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
import polars as pl
from barometre.collection.campaigns import create_campaign, open_campaign
from barometre.collection.editions import edition_from_template
from barometre.collection.services import issue_invitation
from barometre.collection.targets import add_targets, register_frame
from barometre.collection.models import Target
from datetime import timedelta
from django.utils import timezone
n = int(sys.argv[1])
edition = edition_from_template(sys.argv[2])
campaign = create_campaign(edition, "charge", closes_at=timezone.now() + timedelta(days=1), with_waves=False)
open_campaign(campaign)
frame = register_frame().filter(pl.col("kind") == "commune").head(n)
add_targets(campaign, frame)
links = [(t.code, issue_invitation(t)[1]) for t in Target.objects.filter(campaign=campaign)]
print(json.dumps({"campaign": campaign.pk, "links": links}))
"""

VERIFY = r"""
import json, sys
import django
django.setup()
from barometre.collection.models import Answer, Response
expected = json.load(open(sys.argv[1]))
rows = {}
for code, qid, value in Answer.objects.filter(response__campaign_id=int(sys.argv[2])).values_list(
    "response__code", "question_id", "value"
):
    rows.setdefault(code, {}).setdefault(qid, []).append(value)
lost = sum(1 for code, answers in expected["answers"].items() for q in answers if q not in rows.get(code, {}))
wrong = sum(
    1 for code, answers in expected["answers"].items() for q, v in answers.items()
    if q in rows.get(code, {}) and rows[code][q][-1] != v
)
duplicated = sum(1 for a in rows.values() for values in a.values() if len(values) > 1)
versions = dict(Response.objects.filter(campaign_id=int(sys.argv[2])).values_list("code", "version"))
bad_versions = sum(1 for code, v in expected["versions"].items() if versions.get(code) != v)
complete = Response.objects.filter(campaign_id=int(sys.argv[2]), status="complete").count()
print(json.dumps({"lost": lost, "wrong": wrong, "duplicated": duplicated,
                  "bad_versions": bad_versions, "complete": complete}))
"""


def questionnaire_plan(template: str) -> list[tuple[str, str, list[str]]]:
    """(theme, question, candidate values) for every always-asked question of the template.

    Candidate values never make a conditional question relevant, so that answering every planned
    question is enough to submit.
    """
    from barometre.questionnaire.model import QuestionType
    from barometre.questionnaire.skip_logic import relevance
    from barometre.questionnaire.templates_catalogue import load_template

    questionnaire = load_template(template)
    baseline = relevance(questionnaire, {})
    plan = []
    for theme in questionnaire.themes:
        if theme.relevant:
            continue
        for q in theme.questions:
            if q.relevant:
                continue
            if q.type.is_choice:
                codes = [o.code for o in q.options]
            elif q.type is QuestionType.PERCENTAGE:
                codes = ["10", "50", "90"]
            elif q.type is QuestionType.NUMBER:
                codes = ["1", "2", "3"]
            else:
                codes = ["texte a", "texte b"]
            keep = [c for c in codes if relevance(questionnaire, {q.id: c}) == baseline]
            if keep:
                plan.append((theme.id, q.id, keep[:3]))
    return plan


async def respondent_session(
    session_factory, base: str, who: Respondent, plan, saves: int, latencies: list, rng, deadline
) -> None:
    """One respondent: open the link, autosave `saves` times, then submit."""
    async with session_factory() as http:
        async with http.get(f"{base}/r/{who.token}/", allow_redirects=True) as resp:
            await resp.read()
        async with http.get(f"{base}/r/questionnaire/{plan[0][0]}/") as resp:
            page = await resp.text()
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        csrf = found.group(1) if found else ""
        extra = rng.integers(0, len(plan), max(0, saves - len(plan))).tolist()
        for step in (list(range(len(plan))) + extra)[:saves]:
            if time.monotonic() > deadline:
                return
            theme, qid, values = plan[step]
            value = values[int(rng.integers(0, len(values)))]
            data = {
                "csrfmiddlewaretoken": csrf,
                "version": str(who.version),
                "fields": qid,
                qid: value,
                "base": json.dumps({qid: who.expected.get(qid, "")}),
            }
            start = time.perf_counter()
            async with http.post(
                f"{base}/r/questionnaire/{theme}/autosave/",
                data=data,
                headers={"X-CSRFToken": csrf, "Referer": f"{base}/r/accueil/"},
            ) as resp:
                text = await resp.text()
            try:
                body = json.loads(text)
            except ValueError:
                raise RuntimeError(f"autosave {resp.status}: {text[:300]}") from None
            latencies.append(time.perf_counter() - start)
            if resp.status == 200 and body.get("status") == "saved":
                who.version = body["version"]
                who.expected[qid] = value
            else:
                raise RuntimeError(f"autosave {who.code} {qid}: {resp.status} {body}")
        async with http.post(
            f"{base}/r/relecture/",
            data={
                "csrfmiddlewaretoken": csrf,
                "version": str(who.version),
                "respondent_role": "DGS",
            },
            headers={"Referer": f"{base}/r/relecture/"},
            allow_redirects=False,
        ) as resp:
            await resp.read()
            if resp.status in (302, 303):
                who.version += 1
                who.submitted = True


async def drive(
    base: str, people: list[Respondent], plan, saves: int, concurrency: int, limit_s: float
):
    """Run every respondent with at most `concurrency` at once; return latencies and duration."""
    import aiohttp

    latencies: list[float] = []
    gate = asyncio.Semaphore(concurrency)
    deadline = time.monotonic() + limit_s
    connector_limit = concurrency

    def factory():
        return aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=connector_limit),
            cookie_jar=aiohttp.CookieJar(unsafe=True),
            timeout=aiohttp.ClientTimeout(total=60),
        )

    async def one(i: int, who: Respondent):
        async with gate:
            rng = np.random.default_rng(i)
            await respondent_session(factory, base, who, plan, saves, latencies, rng, deadline)

    start = time.perf_counter()
    results = await asyncio.gather(
        *(one(i, p) for i, p in enumerate(people)), return_exceptions=True
    )
    duration = time.perf_counter() - start
    errors = [r for r in results if isinstance(r, BaseException)]
    return latencies, duration, errors


def server_command(args: argparse.Namespace, port: int) -> list[str]:
    """Command line of the production server under test (gunicorn or granian, loopback only)."""
    bin_dir = Path(sys.executable).parent
    if args.server == "granian":
        return [
            str(bin_dir / "granian"),
            "--interface",
            "wsgi",
            "barometre.web.wsgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--blocking-threads",
            str(args.threads),
            "--backlog",
            "2048",
            "--no-ws",
            "--log-level",
            "warning",
        ]
    return [
        str(bin_dir / "gunicorn"),
        "barometre.web.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--worker-class",
        "gthread" if args.threads > 1 else "sync",
        "--backlog",
        "2048",
        "--preload",
        "--log-level",
        "warning",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="sqlite", help="sqlite, or a PostgreSQL admin URL")
    parser.add_argument("--respondents", type=int, default=200)
    parser.add_argument("--saves", type=int, default=30, help="autosaves per respondent")
    parser.add_argument("--concurrency", type=int, default=32, help="respondents at once")
    parser.add_argument("--server", choices=("gunicorn", "granian"), default="granian")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds of load at most")
    args = parser.parse_args()
    args.respondents = min(args.respondents, 2000)
    args.saves = min(args.saves, 100)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = database_env(args.db, folder)
        try:
            setup = subprocess.run(
                [sys.executable, "-c", SETUP, str(args.respondents), TEMPLATE],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            created = json.loads(setup.stdout.strip().splitlines()[-1])
            people = [Respondent(code, token) for code, token in created["links"]]
            port = free_port()
            server = subprocess.Popen(
                server_command(args, port),
                env={**env, "BAROMETRE_TOKEN_FAILURES_LIMIT": "100000"},
                cwd=ROOT,
                start_new_session=True,
            )
            try:
                base = f"http://127.0.0.1:{port}"
                for _ in range(100):
                    try:
                        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                        break
                    except OSError:
                        time.sleep(0.2)
                plan = questionnaire_plan(TEMPLATE)
                warm_up(base, 4 * args.workers * args.threads)
                server_cpu_before = process_tree_cpu(server.pid)
                client_cpu_before = time.process_time()
                latencies, duration, errors = asyncio.run(
                    drive(base, people, plan, args.saves, args.concurrency, args.time_limit)
                )
                client_cpu = time.process_time() - client_cpu_before
                server_cpu = process_tree_cpu(server.pid) - server_cpu_before
                database_cpu = database_backends_cpu(env, args.db)
            finally:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=30)
            expected_path = folder / "expected.json"
            expected_path.write_text(
                json.dumps(
                    {
                        "answers": {p.code: p.expected for p in people},
                        "versions": {p.code: p.version for p in people if p.version},
                    }
                )
            )
            verify = subprocess.run(
                [sys.executable, "-c", VERIFY, str(expected_path), str(created["campaign"])],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            checked = json.loads(verify.stdout.strip().splitlines()[-1])
        finally:
            if args.db != "sqlite":
                drop_database(env, args.db)
    lat = np.array(latencies) * 1000
    # every respondent also made 2 GETs (link, page) and 1 submit besides its autosaves
    requests = lat.size + 3 * len(people)
    report = {
        "db": "sqlite" if args.db == "sqlite" else "postgresql",
        "server": args.server,
        "workers": args.workers,
        "threads": args.threads,
        "respondents": len(people),
        "concurrency": args.concurrency,
        "autosaves": int(lat.size),
        "duration_s": round(duration, 2),
        "autosaves_per_s": round(lat.size / duration, 1) if duration else 0,
        "p50_ms": round(float(np.percentile(lat, 50)), 1) if lat.size else None,
        "p90_ms": round(float(np.percentile(lat, 90)), 1) if lat.size else None,
        "p99_ms": round(float(np.percentile(lat, 99)), 1) if lat.size else None,
        "max_ms": round(float(lat.max()), 1) if lat.size else None,
        "server_cpu_ms_per_request": round(1000 * server_cpu / max(1, requests), 2),
        "client_cpu_ms_per_request": round(1000 * client_cpu / max(1, requests), 2),
        # PostgreSQL backends of the run (warm-up included); None for SQLite (in the server)
        "database_cpu_ms_per_request": (
            None if database_cpu is None else round(1000 * database_cpu / max(1, requests), 2)
        ),
        "load_average": round(os.getloadavg()[0], 1),
        "submitted": sum(p.submitted for p in people),
        "client_errors": len(errors),
        **checked,
    }
    if errors:
        print("premières erreurs :", [str(e)[:200] for e in errors[:3]], file=sys.stderr)
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
