"""`barometre serve`: start the collection app on the demo edition with a production server."""

from __future__ import annotations

import os
import secrets
import shutil
import sys
from pathlib import Path

import click

DEFAULT_FOLDER = Path("barometre-demo")
OPERATOR = "admin"


def _demo_folder(folder: Path) -> Path:
    """The demo edition folder, built by `barometre demo` when missing."""
    if (folder / "edition.yaml").is_file():
        return folder
    from barometre.cli.demo_cmd import command as demo

    click.echo(f"Dossier {folder} absent : construction de l'édition de démonstration…")
    demo.main([str(folder)], standalone_mode=False)
    return folder


def _template_frame(folder: Path):
    """The sampling frame of the demo's template (register rows), or None when unknown."""
    import yaml

    meta = yaml.safe_load((folder / "edition.yaml").read_text(encoding="utf-8")) or {}
    template = meta.get("template")
    if not template:
        return None
    from barometre.collection.targets import register_frame
    from barometre.edition.figures import load_figures
    from barometre.edition.simulate import template_frame

    try:
        return template_frame(register_frame(), load_figures(template).demo)
    except (KeyError, FileNotFoundError):
        return None


def prepare(folder: Path, public_url: str) -> tuple[str, str, str]:
    """Load the demo if the database has no open campaign; return (operator, password, trial
    respondent link). No real invitation is created, re-keyed or re-activated."""
    from django.contrib.auth import get_user_model

    from barometre.collection.campaigns import trial_link
    from barometre.collection.edition_folders import load_edition_folder
    from barometre.collection.invitations import link_url
    from barometre.collection.models import Account, Campaign, Response, Target

    campaign = (
        Campaign.objects.filter(status=Campaign.Status.OPEN, trial_of__isnull=True)
        .order_by("-created_at")
        .first()
    )
    if campaign is None:
        folder = _demo_folder(folder)
        click.echo("Chargement de l'édition dans la base…")
        campaign = load_edition_folder(folder, frame=_template_frame(folder))
    password = secrets.token_urlsafe(12)
    users = get_user_model()
    user = users.objects.filter(username=OPERATOR).first() or users(username=OPERATOR)
    user.set_password(password)
    user.is_staff = True
    user.save()
    Account.objects.update_or_create(user=user, defaults={"role": Account.Role.ADMINISTRATOR})
    answered = Response.objects.filter(campaign=campaign).values("code")
    target = (
        Target.objects.filter(campaign=campaign, kind="commune")
        .exclude(code__in=answered)
        .order_by("code")
        .first()
        or Target.objects.filter(campaign=campaign).order_by("code").first()
    )
    raw = trial_link(campaign, target)
    link = link_url(raw).replace(os.environ["BAROMETRE_PUBLIC_URL"], public_url)
    return OPERATOR, password, f"{link} (essai comme {target.name}, {target.code})"


def publish_demo(folder: Path) -> None:
    """Point the public dashboard at the served demo's report and private reports (unless set)."""
    os.environ.setdefault("BAROMETRE_REPORTS_DIR", str(folder.resolve()))
    os.environ.setdefault("BAROMETRE_POSITIONING_DIR", str((folder / "positionnement").resolve()))


def server_argv(server: str, host: str, port: int, workers: int, threads: int) -> list[str]:
    """Command line of the production WSGI server (granian or gunicorn) from this virtualenv."""
    exe = shutil.which(server, path=str(Path(sys.executable).parent)) or server
    if server == "granian":
        return [
            exe,
            "--interface",
            "wsgi",
            "barometre.web.wsgi:application",
            "--host",
            host,
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--blocking-threads",
            str(threads),
            "--no-ws",
            "--log-level",
            "warning",
        ]
    return [
        exe,
        "barometre.web.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread" if threads > 1 else "sync",
        "--threads",
        str(threads),
        "--log-level",
        "warning",
    ]


@click.command(name="serve")
@click.option(
    "--dossier",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_FOLDER,
    show_default=True,
    help="Édition à charger si la base n'a aucune campagne ouverte (construite par "
    "`barometre demo` si absente).",
)
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Fichier SQLite [défaut : $BAROMETRE_DB, sinon $DATABASE_URL, sinon ./barometre.sqlite3].",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Adresse d'écoute.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port d'écoute.")
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Processus du serveur web.",
)
@click.option(
    "--fils",
    "threads",
    default=4,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Fils d'exécution par processus.",
)
@click.option(
    "--serveur",
    "server",
    type=click.Choice(["granian", "gunicorn"]),
    default="granian",
    show_default=True,
    help="Serveur WSGI de production (granian est le plus rapide au banc de charge).",
)
@click.option(
    "--sans-serveur",
    "no_server",
    is_flag=True,
    help="Prépare la base, affiche les accès, puis s'arrête sans démarrer le serveur.",
)
def command(
    dossier: Path,
    db: Path | None,
    host: str,
    port: int,
    workers: int,
    threads: int,
    server: str,
    no_server: bool,
) -> None:
    """Démarre l'application de collecte (granian ou gunicorn) sur l'édition de démonstration.

    Crée la base et ses tables au besoin, charge l'édition (questionnaire, cibles, réponses) dans
    une campagne ouverte, crée le compte opérateur « admin » avec un mot de passe aléatoire
    (renouvelé à chaque lancement) et affiche un lien répondant d'essai : il ouvre le
    questionnaire dans une campagne d'essai (« Essai — … ») dont les réponses ne comptent nulle
    part ; aucun lien réel de collectivité n'est modifié.
    """
    public_url = f"http://{host}:{port}"
    os.environ["BAROMETRE_PUBLIC_URL"] = public_url
    publish_demo(dossier)
    from barometre.web.bootstrap import setup_django

    setup_django(db)
    user, password, link = prepare(dossier, public_url)
    click.echo("")
    click.echo(f"Espace opérateur : {public_url}/operateur/")
    click.echo(f"  identifiant : {user}")
    click.echo(f"  mot de passe : {password}")
    click.echo(f"Lien répondant d'essai (réponses comptées nulle part) : {link}")
    click.echo(f"Tableau de bord public : {public_url}/tableau-de-bord/ (accueil : {public_url}/)")
    if not (dossier / "rapport" / "resultats").is_dir():
        click.echo(
            f"  (aucun rapport dans {dossier}/rapport : « barometre report {dossier} "
            f"--out {dossier}/rapport » le publie)"
        )
    click.echo("")
    if no_server:
        return
    argv = server_argv(server, host, port, workers, threads)
    click.echo(
        f"Serveur {server} ({workers} processus de {threads} fils) sur {public_url} "
        "— Ctrl+C pour arrêter."
    )
    sys.stdout.flush()
    os.execvpe(argv[0], argv, os.environ)
