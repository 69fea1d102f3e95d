"""`barometre initiatives`: import, train, classify, review, correct, report; docs are complete."""

from __future__ import annotations

from pathlib import Path

import click
import polars as pl
from click.testing import CliRunner

from barometre.cli import main
from barometre.cli.initiatives_cmd import command
from barometre.initiatives.corpus import EXAMPLE_CORPUS_FILE

DOC = Path(__file__).resolve().parents[2] / "docs" / "initiatives.md"
BAD = (
    "code;titre;description;annee;domaine\n"
    "69123;Wifi public;Des bornes wifi dans les parcs.;2022;inclusion\n"
    "99999;Site internet;Nouveau site.;2021;\n"
    "35238;;;2020;culture\n"
    "59350;Budget participatif;Vote en ligne.;deux mille;participation\n"
    "31555;Capteurs;Capteurs de bruit.;2023;ville-intelligente\n"
)


def run(*args: str) -> object:
    """Invoke the real `barometre` group."""
    return CliRunner().invoke(main, ["initiatives", *args], catch_exceptions=False)


def test_every_subcommand_and_option_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert isinstance(command, click.Group)
    assert {"import", "train", "classify", "report"} <= set(command.commands)
    for name, sub in command.commands.items():
        assert f"barometre initiatives {name}" in text, name
        for param in sub.params:
            if isinstance(param, click.Option):
                for option in param.opts + param.secondary_opts:
                    assert option in text, f"{name} {option}"


def test_rejected_import_writes_nothing_and_matches_the_docs(tmp_path) -> None:
    bad = tmp_path / "mauvais.csv"
    bad.write_text(BAD, encoding="utf-8")
    folder = tmp_path / "mon-edition" / "initiatives"
    errors = tmp_path / "erreurs.csv"
    result = CliRunner().invoke(
        main,
        ["initiatives", "import", str(bad), "--dossier", str(folder), "--erreurs", str(errors)],
    )
    assert result.exit_code == 1
    assert not folder.exists()
    assert pl.read_csv(errors).get_column("ligne").to_list() == [3, 4, 5, 6]
    text = DOC.read_text(encoding="utf-8")
    for line in result.output.splitlines():
        assert line.rstrip() in text, line


def test_import_classify_review_correct_report(tmp_path) -> None:
    folder = tmp_path / "initiatives"
    source = pl.read_csv(EXAMPLE_CORPUS_FILE, infer_schema=False).head(120)
    labelled = source.with_columns(
        pl.when(pl.int_range(pl.len()) < 100).then(pl.col("domaine")).alias("domaine")
    )
    labelled.write_csv(tmp_path / "corpus.csv")
    result = run("import", str(tmp_path / "corpus.csv"), "--dossier", str(folder))
    assert result.exit_code == 0, result.output
    assert "120 initiatives importées (100 avec un domaine)" in result.output

    texts = tmp_path / "textes.csv"
    pl.DataFrame(
        {
            "ref": ["a", "b"],
            "texte": ["Budget participatif : vote en ligne", "Wifi gratuit au parc"],
        }
    ).write_csv(texts)
    result = run("classify", str(texts), str(tmp_path / "classes.csv"), "--dossier", str(folder))
    assert result.exit_code == 0, result.output
    out = pl.read_csv(tmp_path / "classes.csv")
    assert out.columns == ["ref", "texte", "domaine_predit", "probabilite"]
    assert out.get_column("domaine_predit").to_list() == ["participation", "inclusion"]

    result = run("review", "--dossier", str(folder), "--taille", "5")
    assert result.exit_code == 0, result.output
    corpus = pl.read_csv(folder / "corpus.csv")
    unlabelled = corpus.filter(pl.col("domaine").is_null()).get_column("id").to_list()
    shown = [i for i in unlabelled if i in result.output]
    assert len(shown) == 5

    result = run("correct", shown[0], "culture", "--dossier", str(folder), "--auteur", "Léa")
    assert result.exit_code == 0, result.output
    result = run("correct", shown[0], "sport", "--dossier", str(folder))
    assert result.exit_code == 1 and "absent de la taxonomie" in result.output
    assert pl.read_csv(folder / "corrections.csv").height == 1

    out_dir = tmp_path / "rapport"
    result = run(
        "report", "--dossier", str(folder), "--sortie", str(out_dir), "--classes", "2000,20000"
    )
    assert result.exit_code == 0, result.output
    assert "Initiatives analysées : 120" in result.output
    shares = pl.read_csv(out_dir / "parts_domaines.csv")
    assert abs(shares.get_column("part").sum() - 1) < 1e-9
    by_size = pl.read_csv(out_dir / "parts_domaines_par_taille.csv")
    assert set(by_size.get_column("groupe")) <= {
        "moins de 2 000 hab.",
        "de 2 000 à 19 999 hab.",
        "20 000 hab. et plus",
    }
    assert "1 correction" in (out_dir / "initiatives.md").read_text(encoding="utf-8")

    codes = corpus.get_column("code").unique().sort()
    attributes = tmp_path / "frame_attributes.csv"
    pl.DataFrame({"code": codes, "age_median": [40 + i % 7 for i in range(codes.len())]}).write_csv(
        attributes
    )
    result = run(
        "report",
        "--dossier",
        str(folder),
        "--fichier-attributs",
        str(attributes),
        "--attribut",
        "age_median",
    )
    assert result.exit_code == 0, result.output
    assert "Lien entre l'âge médian des habitants et initiatives pour 1 000 hab." in result.output
    result = run("report", "--dossier", str(folder), "--attribut", "age_median")
    assert (
        result.exit_code == 1 and "attribut(s) absent(s) du registre : age_median" in result.output
    )


def test_train_reports_cross_validation_and_saves_the_model(tmp_path) -> None:
    folder = tmp_path / "initiatives"
    taxonomy = tmp_path / "taxonomie.yaml"
    taxonomy.write_text(
        "domains:\n  - {id: culture, label: Culture}\n  - {id: education, label: Écoles}\n",
        encoding="utf-8",
    )
    source = pl.read_csv(EXAMPLE_CORPUS_FILE, infer_schema=False)
    two = source.filter(pl.col("domaine").is_in(["culture", "education"])).head(40)
    two.write_csv(tmp_path / "corpus.csv")
    result = run(
        "import",
        str(tmp_path / "corpus.csv"),
        "--dossier",
        str(folder),
        "--taxonomie",
        str(taxonomy),
    )
    assert result.exit_code == 0, result.output
    result = run("train", "--dossier", str(folder))
    assert result.exit_code == 0, result.output
    assert "validation croisée (5 plis, 40 exemples)" in result.output
    assert "F1 macro" in result.output
    assert (folder / "modele.joblib").exists()
    texts = tmp_path / "t.csv"
    pl.DataFrame({"titre": ["Médiathèque"], "description": ["Prêt de livres."]}).write_csv(texts)
    result = run("classify", str(texts), str(tmp_path / "o.csv"), "--dossier", str(folder))
    assert "modele.joblib" in result.output
    assert pl.read_csv(tmp_path / "o.csv").get_column("domaine_predit").to_list() == ["culture"]


def test_commands_without_a_corpus_fail_in_french(tmp_path) -> None:
    for name in ("review", "report", "train"):
        result = CliRunner().invoke(main, ["initiatives", name, "--dossier", str(tmp_path)])
        assert result.exit_code == 1
        assert "aucun corpus" in result.output


def test_report_on_the_shipped_corpus_states_the_seed_findings(tmp_path: Path) -> None:
    result = run("report", "--corpus-exemple", "--sortie", str(tmp_path / "sortie"))
    assert result.exit_code == 0, result.output
    assert "Constats du baromètre Villes Internet × Deloitte (2016), vérifiés sur ce corpus" in (
        result.output
    )
    assert "Quatre grands domaines — constat retrouvé. Quatre domaines rassemblent" in result.output
    assert "Plus de services dans les grandes collectivités — constat retrouvé." in result.output
    assert "Pas d'effet de l'âge des habitants — non examiné." in result.output
    summary = (tmp_path / "sortie" / "initiatives.md").read_text(encoding="utf-8")
    assert "## Les constats du baromètre de référence" in summary
