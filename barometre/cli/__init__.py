"""The `barometre` command: one click group, each subcommand in its own module, loaded lazily."""

from __future__ import annotations

import importlib
import os

import click

# The commands' linear algebra is on small matrices (calibration models, domain sums): one BLAS
# thread avoids thread start-up and oversubscription on shared machines. Set before NumPy loads
# OpenBLAS; a user's own OPENBLAS_NUM_THREADS wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from barometre.cli.click_french import install as install_french_click

install_french_click()

# subcommand name -> module under barometre.cli holding a click object called `command`
SUBCOMMANDS: dict[str, str] = {
    "register": "register_cmd",
    "questionnaire": "questionnaire_cmd",
    "demo": "demo_cmd",
    "analyse": "analyse_cmd",
    "maturity": "maturity_cmd",
    "initiatives": "initiatives_cmd",
    "report": "report_cmd",
    "serve": "serve_cmd",
    "invite": "invite_cmd",
    "export": "export_cmd",
    "import": "import_cmd",
}


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that subcommand is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in SUBCOMMANDS if self._module(name) is not None)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = self._module(cmd_name)
        return None if module is None else module.command

    @staticmethod
    def _module(name: str):
        if name not in SUBCOMMANDS:
            return None
        try:
            return importlib.import_module(f"barometre.cli.{SUBCOMMANDS[name]}")
        except ModuleNotFoundError as exc:  # subcommand not built yet
            if exc.name == f"barometre.cli.{SUBCOMMANDS[name]}":
                return None
            raise


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    package_name="barometre",
    message="barometre %(version)s",
    help="Afficher la version et quitter.",
)
def main() -> None:
    """barometre : baromètres de maturité numérique des collectivités et services publics.

    Registre officiel comme base de sondage, questionnaires, collecte, estimations calées
    avec marges d'erreur, maturité, rapports et données ouvertes.
    """
