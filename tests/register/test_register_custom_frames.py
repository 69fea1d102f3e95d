"""Custom frames and attributes: validation as typed errors, atomic storage, merge into the register."""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from barometre.register import import_attributes, import_frame, load_register
from barometre.register.workspace import Workspace, default_workspace

NC_SERVICES = """code;nom;type;population;tutelle;effectif:entier;opsn
NC-GOUV;Gouvernement de la Nouvelle-Calédonie;service_public;;gouvernement;1 200;oui
NC-PS;Province Sud;province;203144;;300;non
NC-PN;Province Nord;province;49910;;;non
NC-PIL;Province des îles Loyauté;province;18353;;;
"""


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write a text file and return its path."""
    path.write_text(text, encoding=encoding)
    return path


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` (hidden ones included) with the sha256 of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def rows_of(result) -> set[tuple[int, str, str]]:
    """(line, field, type) of each error."""
    return {(e.line, e.field, e.type) for e in result.errors}


def test_good_frame_is_stored_and_merged(tmp_path: Path, workspace: Path) -> None:
    result = import_frame(write(tmp_path / "services-nc.csv", NC_SERVICES), workspace)
    assert result.accepted, result.errors_table()
    assert result.name == "services-nc" and result.rows == 4
    assert (workspace / "frames" / "services-nc.parquet").exists()
    register = load_register(workspace)
    official = load_register()
    assert len(register) == len(official) + 4
    assert register.imported_frames == ("services-nc",)
    gouv = register.get("NC-GOUV")
    assert gouv["kind"] == "service_public" and gouv["population"] is None
    assert gouv["effectif"] == 1200 and gouv["opsn"] is True and gouv["tutelle"] == "gouvernement"
    assert register.get("NC-PS")["population"] == 203144
    assert register.kinds[:5] == ["commune", "epci", "departement", "region", "com"]
    assert {"province", "service_public"} <= set(register.kinds)
    assert register.get("01001")["effectif"] is None
    strata = register.with_strata()
    assert strata.filter(pl.col("code") == "NC-PS").get_column("size_class").cast(
        pl.String
    ).item() == ("100 000 hab. et plus")


def test_xlsx_frame_with_kind_option(tmp_path: Path, workspace: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Code", "Nom", "Population", "Adhérents"])
    sheet.append(["SYN-01", "Syndicat des eaux", 12000, 14])
    sheet.append(["SYN-02", "SIVU scolaire", None, 3])
    book.save(tmp_path / "syndicats.xlsx")
    result = import_frame(tmp_path / "syndicats.xlsx", workspace, kind="syndicat")
    assert result.accepted, result.errors_table()
    register = load_register(workspace)
    assert register.of_kind("syndicat").get_column("code").to_list() == ["SYN-01", "SYN-02"]
    assert register.get("SYN-01")["Adhérents"] == 14


BAD_FRAME = """code,nom,type,population,effectif:entier,effectif
01001,Doublon officiel,syndicat,12,3,
SYN1,,syndicat,abc,4.5,
SYN1,Syndicat bis,commune,-3,,
,Sans code,syndicat,10,,
217400423,SIREN de Bonneville,syndicat,1,,
NC-PS,Collision,syndicat,1,,
"""


def test_bad_frame_lists_every_error_and_leaves_the_workspace_unchanged(
    tmp_path: Path, workspace: Path
) -> None:
    assert import_frame(write(tmp_path / "nc.csv", NC_SERVICES), workspace).accepted
    before = snapshot(workspace)
    result = import_frame(write(tmp_path / "nc2.csv", BAD_FRAME), workspace, name="nc")
    assert not result.accepted and result.path is None
    assert rows_of(result) == {
        (1, "effectif", "colonne-en-double"),
        (2, "code", "code-officiel"),
        (3, "population", "type-entier"),
        (3, "effectif", "type-entier"),
        (3, "nom", "valeur-manquante"),
        (4, "code", "code-en-double"),
        (4, "type", "type-reserve"),
        (4, "population", "valeur-negative"),
        (5, "code", "code-vide"),
        (6, "code", "code-officiel"),
    }
    messages = {(e.line, e.field): e.message for e in result.errors}
    assert messages[(3, "population")] == "« abc » n'est pas un nombre entier"
    assert messages[(4, "code")] == "code « SYN1 » en double (déjà présent ligne 3)"
    assert "L'Abergement-Clémenciat" in messages[(2, "code")]
    assert snapshot(workspace) == before
    # the same file under another name also collides with the stored frame's codes
    other = import_frame(tmp_path / "nc2.csv", workspace, name="autre")
    assert (7, "code", "code-deja-importe") in rows_of(other)
    assert snapshot(workspace) == before
    assert load_register(workspace).get("NC-PS")["name"] == "Province Sud"


def test_missing_columns_and_unreadable_files(tmp_path: Path, workspace: Path) -> None:
    result = import_frame(write(tmp_path / "f.csv", "code;population\nX1;3\n"), workspace)
    assert rows_of(result) == {(1, "nom", "colonne-manquante"), (1, "type", "colonne-manquante")}
    assert "colonne obligatoire « nom » absente" in result.errors[0].message
    garbage = tmp_path / "faux.xlsx"
    garbage.write_bytes(b"\x00\x01 pas un classeur")
    assert {e.type for e in import_frame(garbage, workspace).errors} == {"fichier-illisible"}
    assert {
        e.type
        for e in import_frame(write(tmp_path / "vide.csv", "code;nom;type\n"), workspace).errors
    } == {"fichier-vide"}
    assert not workspace.exists()


def test_windows_1252_csv(tmp_path: Path, workspace: Path) -> None:
    path = write(tmp_path / "cp.csv", "code;nom;type\nE1;Établissement éloigné;régie\n", "cp1252")
    assert import_frame(path, workspace).accepted
    assert load_register(workspace).get("E1")["name"] == "Établissement éloigné"


OPSN = """siren,opsn,age_median:décimal,note:booleen,libre
217400423,oui,45.5,1,a
01001,non,40,0,b
200054781,non,"38,5",faux,
"""


def test_attributes_keyed_by_siren_or_code(tmp_path: Path, workspace: Path) -> None:
    checked = import_attributes(
        write(tmp_path / "opsn.csv", OPSN), workspace, key="siren", dry_run=True
    )
    assert checked.valid and not checked.accepted and not workspace.exists()
    assert checked.table.get_column("code").to_list() == ["74042", "01001", "200054781"]
    result = import_attributes(write(tmp_path / "opsn.csv", OPSN), workspace, key="siren")
    assert result.accepted, result.errors_table()
    register = load_register(workspace)
    rows = register.lookup(["74042", "01001", "200054781", "01002"])
    assert rows.get_column("opsn").to_list() == [True, False, False, None]
    assert rows.get_column("age_median").to_list() == [45.5, 40.0, 38.5, None]
    assert rows.get_column("note").to_list() == [True, False, False, None]
    assert rows.schema["libre"] == pl.String
    assert register.entities.height == load_register().entities.height


BAD_ATTRIBUTES = """code,opsn:booléen,population,age
01001,oui,3,40
99999,peut-être,,41
01001,non,,x
,oui,,
"""


def test_bad_attributes_are_rejected_whole(tmp_path: Path, workspace: Path) -> None:
    assert import_attributes(write(tmp_path / "opsn.csv", OPSN), workspace, key="siren").accepted
    before = snapshot(workspace)
    result = import_attributes(write(tmp_path / "bad.csv", BAD_ATTRIBUTES), workspace, name="opsn")
    assert rows_of(result) == {
        (1, "population", "colonne-reservee"),
        (3, "code", "code-inconnu"),
        (3, "opsn", "type-booleen"),
        (4, "code", "code-en-double"),
        (5, "code", "code-vide"),
    }
    assert snapshot(workspace) == before
    missing_key = import_attributes(tmp_path / "opsn.csv", workspace, key="insee")
    assert rows_of(missing_key) == {(1, "insee", "colonne-manquante")}
    clash = import_attributes(
        write(tmp_path / "x.csv", "code,opsn\n01001,oui\n"), workspace, name="autre"
    )
    assert rows_of(clash) == {(1, "opsn", "attribut-existant")}
    assert snapshot(workspace) == before


def test_attributes_of_custom_entities_and_reimport_replaces(
    tmp_path: Path, workspace: Path
) -> None:
    assert import_frame(write(tmp_path / "nc.csv", NC_SERVICES), workspace).accepted
    path = write(tmp_path / "sites.csv", "code;site_web\nNC-PS;oui\nNC-PN;non\n")
    assert import_attributes(path, workspace).accepted
    assert load_register(workspace).get("NC-PN")["site_web"] is False
    write(path, "code;site_web\nNC-PS;non\n")
    assert import_attributes(path, workspace).accepted
    register = load_register(workspace)
    assert register.get("NC-PS")["site_web"] is False and register.get("NC-PN")["site_web"] is None
    assert Workspace(workspace).remove("attributes", "sites")
    assert "site_web" not in load_register(workspace).entities.columns


def test_default_workspace_follows_barometre_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BAROMETRE_HOME", str(tmp_path / "home"))
    assert default_workspace() == tmp_path / "home" / "register"
    monkeypatch.delenv("BAROMETRE_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_workspace() == tmp_path / "xdg" / "barometre" / "register"


def test_header_problems_and_import_names(tmp_path: Path, workspace: Path) -> None:
    text = "code;nom;type;;taille:énorme;member_count\nS1;Syndicat;syndicat;x;1;2\n"
    result = import_frame(write(tmp_path / "h.csv", text), workspace)
    assert rows_of(result) == {
        (1, "", "en-tete-vide"),
        (1, "taille", "type-de-colonne-inconnu"),
        (1, "member_count", "colonne-reservee"),
    }
    assert "la colonne n° 4 n'a pas de nom" in {e.message for e in result.errors}
    aliases = import_frame(
        write(tmp_path / "a.csv", "code;nom;name;type\nS1;A;B;syndicat\n"), workspace
    )
    assert rows_of(aliases) == {(1, "name", "colonne-en-double")}
    named = import_frame(
        write(tmp_path / "ok.csv", "code;nom;type\nS1;S;syndicat\n"), workspace, name="../x"
    )
    assert rows_of(named) == {(0, "", "nom-invalide")}
    assert not workspace.exists()
