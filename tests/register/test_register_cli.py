"""`barometre register` through click's CliRunner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from barometre.cli import main


@pytest.fixture
def run(workspace: Path, monkeypatch: pytest.MonkeyPatch):
    """Invoke `barometre register …` with BAROMETRE_HOME pointing to a fresh folder."""
    monkeypatch.setenv("BAROMETRE_HOME", str(workspace.parent / "home"))
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, ["register", *args], catch_exceptions=False)

    return invoke


def test_info_prints_vintage_counts_and_strata(run) -> None:
    result = run("info")
    assert result.exit_code == 0, result.output
    assert "COG 2026" in result.output and "@etalab/decoupage-administratif 6.0.0" in result.output
    assert "| commune " in result.output and "34 969" in result.output and "1 255" in result.output
    assert "moins de 500 hab." in result.output and "100 000 hab. et plus" in result.output


def test_info_with_coarse_classes_and_kind(run) -> None:
    result = run("info", "--classes", "1000", "--kind", "commune")
    assert result.exit_code == 0, result.output
    assert "moins de 1 000 hab." in result.output and "1 000 hab. et plus" in result.output
    assert "epci_CC" not in result.output and "de 500 à 1 999" not in result.output
    bad = run("info", "--classes", "2000,500")
    assert bad.exit_code == 2 and "strictement croissantes" in bad.output
    regions = run("info", "--kind", "commune", "--by", "region_group")
    assert "| 84 " in regions.output and "Auvergne-Rhône-Alpes" in regions.output
    assert "outre-mer" in regions.output
    unknown = run("info", "--kind", "canton")
    assert unknown.exit_code == 2 and "type(s) inconnu(s) : canton" in unknown.output


def test_show_by_code_siren_and_name(run) -> None:
    commune = run("show", "2A004")
    assert (
        commune.exit_code == 0
        and "Ajaccio" in commune.output
        and "CA du Pays Ajaccien" in commune.output
    )
    epci = run("show", "200054781")
    assert "Communes membres (130)" in epci.output and "Paris" in epci.output
    assert "Ajaccio" in run("show", "212000046").output
    several = run("show", "saint-etienne")
    assert "Plusieurs entités" in several.output and "42218" in several.output
    missing = run("show", "zzzz-introuvable")
    assert missing.exit_code == 1 and "aucune entité ne correspond" in missing.output


def test_import_rejects_with_a_french_error_table_then_accepts(
    run, tmp_path: Path, workspace: Path
) -> None:
    bad = tmp_path / "services.csv"
    bad.write_text("code;nom;population\n01001;Doublon;x\n", encoding="utf-8")
    result = run("import", str(bad), "--as", "frame", "--kind", "service_public")
    assert result.exit_code == 1
    assert "Fichier rejeté : 2 erreur(s)" in result.output
    assert (
        "| 2     | code       |" in result.output and "n'est pas un nombre entier" in result.output
    )
    home = workspace.parent / "home" / "register"
    assert not home.exists()
    bad.write_text("code;nom;population\nNC-1;Service;12\n", encoding="utf-8")
    checked = run("import", str(bad), "--as", "frame", "--kind", "service_public", "--check")
    assert checked.exit_code == 0 and "Fichier valide : 1 entités" in checked.output
    assert not home.exists()
    ok = run("import", str(bad), "--as", "frame", "--kind", "service_public")
    assert ok.exit_code == 0, ok.output
    assert "Import « services » enregistré : 1 entités" in ok.output
    info = run("info", "--kind", "service_public", "--by", "kind")
    assert "cadres importés : services" in info.output and "service_public" in info.output
    attributes = tmp_path / "attr.csv"
    attributes.write_text("code,opsn\nNC-1,oui\n01001,non\n", encoding="utf-8")
    assert run("import", str(attributes), "--as", "attributes").exit_code == 0
    assert "opsn" in run("show", "NC-1").output
    assert run("remove", "attr", "--as", "attributes").exit_code == 0
    assert run("remove", "attr", "--as", "attributes").exit_code == 1


def test_help_is_french(run) -> None:
    help_text = run("--help").output
    assert "Registre des collectivités" in help_text
    for name in ("info", "show", "import", "remove"):
        assert name in help_text
    assert "Bornes des classes de population" in run("info", "--help").output
