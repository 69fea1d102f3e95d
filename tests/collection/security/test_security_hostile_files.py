"""Hostile files and inputs over real HTTP: YAML bombs, deep expressions, zip bombs, huge uploads
and answers. Each is refused with a French message naming the field, nothing is stored, no 500."""

from __future__ import annotations

import io
import resource
import time
import zipfile

import openpyxl
import pytest
from security_http import RESPONDENT_YAML, Http

from barometre.collection.models import Answer, Response

pytestmark = pytest.mark.django_db(transaction=True)

EDITION_FIELD = "Fichier YAML, XLSForm ou structure LimeSurvey (.lss)"

BILLION_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
)


def peak_memory_mb() -> float:
    """Peak resident memory of this process (the live server runs in it), in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def questionnaire_with(expression: str) -> str:
    """A valid small questionnaire whose second question shows under `expression`."""
    return RESPONDENT_YAML.replace(
        "relevant: \"${inc_lieux} = 'oui'\"", f'relevant: "{expression}"', 1
    )


def post_edition(http: Http, name: str, content: bytes, source: str = "yaml"):
    """Upload a questionnaire file on the « Nouvelle édition » page."""
    return http.post(
        "/operateur/editions/nouvelle/",
        {"source": source, "title": ""},
        files={"file": (name, content, "application/octet-stream")},
    )


def refused_on_field(page, *words: str) -> None:
    """The page shows the form again with the error under the file field, in French."""
    assert page.status_code == 200, page.status_code
    text = page.text
    assert EDITION_FIELD in text
    for word in words:
        assert word in text, (word, text[-3000:])


def test_the_questionnaire_yaml_has_the_alias_it_replaces():
    # the expression test below edits the respondent questionnaire: the line must exist
    assert "relevant: \"${inc_lieux} = 'oui'\"" in RESPONDENT_YAML
    assert len(BILLION_LAUGHS) < 1024


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("rires.yaml", BILLION_LAUGHS, ["alias YAML", "*a"]),
        ("recursif.yaml", "id: x\ntitle: &t [*t]\n", ["alias YAML", "*t"]),
        ("profond.yaml", "[" * 2_000 + "]" * 2_000, ["imbrication trop profonde"]),
        ("abime.yaml", "[" * 100_000 + "]" * 100_000, ["imbrication trop profonde"]),
        (
            "parentheses.yaml",
            questionnaire_with("(" * 1_900 + "${inc_lieux} = 'oui'" + ")" * 1_900),
            ["relevant", "expression trop imbriquée"],
        ),
        (
            "parentheses-5000.yaml",
            questionnaire_with("(" * 5_000 + "${inc_lieux} = 'oui'" + ")" * 5_000),
            ["relevant", "expression trop longue"],
        ),
        (
            "chaine.yaml",
            questionnaire_with(" and ".join(["${inc_lieux} = 'oui'"] * 150)),
            ["relevant", "expression trop complexe"],
        ),
        ("latin1.yaml", "id: é\n".encode("latin-1"), ["pas encodé en UTF-8", "ligne 1"]),
        (
            "gros.yaml",
            "#" * 2_100_000,
            [f"« {EDITION_FIELD} » : fichier trop volumineux (2,1 Mo), 2 Mo au plus"],
        ),
    ],
    ids=[
        "billion-laughs",
        "recursive-alias",
        "deep",
        "abyss",
        "nested-1900",
        "nested-5000",
        "chain",
        "latin-1",
        "too-large",
    ],
)
def test_hostile_questionnaire_yaml_is_refused(world, unchanged, name, content, words):
    http = world.client("national")
    content = content.encode("utf-8") if isinstance(content, str) else content
    peak = peak_memory_mb()
    started = time.monotonic()
    with unchanged():
        page = post_edition(http, name, content)
    assert time.monotonic() - started < 20
    assert peak_memory_mb() - peak < 200, "the refusal cost memory"
    refused_on_field(page, *words)


def test_a_valid_questionnaire_is_still_accepted(world):
    from barometre.collection.models import Edition

    before = Edition.objects.count()
    page = post_edition(world.client("national"), "ok.yaml", RESPONDENT_YAML.encode())
    assert page.status_code == 302 and Edition.objects.count() == before + 1


def xlsform_bytes(relevant: str = "", extra_member: tuple[str, int] | None = None) -> bytes:
    """A small XLSForm workbook; optionally a `relevant`, and a member of `n` zero bytes."""
    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label", "relevant"])
    survey.append(["begin group", "theme", "Thème", ""])
    survey.append(["select_one oui_non", "q1", "Question 1", ""])
    survey.append(["text", "q2", "Question 2", relevant])
    survey.append(["end group", "", "", ""])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    choices.append(["oui_non", "oui", "Oui"])
    choices.append(["oui_non", "non", "Non"])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version"])
    settings.append(["Essai", "essai", "1"])
    out = io.BytesIO()
    book.save(out)
    if extra_member is None:
        return out.getvalue()
    name, size = extra_member
    with (
        zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open(name, "w", force_zip64=True) as member,
    ):
        chunk = b"\0" * 1_000_000
        for _ in range(size // len(chunk)):
            member.write(chunk)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (
            lambda: xlsform_bytes(extra_member=("xl/media/bombe.bin", 300_000_000)),
            ["trop volumineux une fois décompressé", "100 Mo au plus"],
        ),
        (lambda: b"PK\x03\x04 pas un classeur", ["illisible"]),
        (lambda: b"\xd0\xcf\x11\xe0" + b"\0" * 600, ["illisible"]),
    ],
    ids=["zip-bomb", "not-a-workbook", "broken-xls"],
)
def test_hostile_xlsform_is_refused(world, unchanged, content, words):
    http = world.client("national")
    data = content()
    assert len(data) < 2_000_000  # small on the wire
    with unchanged():
        page = post_edition(http, "hostile.xlsx", data, source="xlsform")
    refused_on_field(page, *words)


def test_an_xlsform_expression_too_deep_is_dropped_and_reported(world):
    from barometre.collection.models import Edition

    http = world.client("national")
    hostile = "(" * 1_900 + "${q1} = 'oui'" + ")" * 1_900
    page = post_edition(http, "profond.xlsx", xlsform_bytes(relevant=hostile), source="xlsform")
    assert page.status_code == 302
    report = http.get(page.headers["Location"]).text
    assert "import XLSForm :" in report
    assert "ligne 4, colonne « relevant »" in report and "expression trop imbriquée" in report
    edition = Edition.objects.get(source="xlsform")
    assert "((((" not in edition.questionnaire_yaml


def test_a_valid_xlsform_is_still_accepted(world):
    page = post_edition(world.client("national"), "ok.xlsx", xlsform_bytes(), source="xlsform")
    assert page.status_code == 302


# --------------------------------------------------------------------------- uploads


def test_uploads_beyond_the_request_cap_get_a_french_413(world, unchanged, settings):
    settings.BAROMETRE_MAX_REQUEST_BYTES = 1_000_000
    http = world.client("national")
    with unchanged():
        page = post_edition(http, "gros.yaml", b"#" * 1_500_000)
    assert page.status_code == 413
    assert "Envoi trop volumineux" in page.text and "1 Mo au plus" in page.text


def test_each_upload_field_has_its_cap(world, unchanged):
    http = world.client("national")
    campaign = world.finistere
    with unchanged():
        page = http.post(
            f"/operateur/campagnes/{campaign.pk}/cibles/",
            {"ajouter": "1"},
            files={"codes_file": ("codes.txt", b"29019\n" * 1_000_000, "text/plain")},
        )
    assert page.status_code == 200
    assert "« Ou une liste de codes (fichier texte ou CSV) » : fichier trop volumineux" in page.text
    before = list(campaign.targets.values_list("code", "email"))
    with unchanged():
        http.post(
            f"/operateur/campagnes/{campaign.pk}/invitations/action/",
            {"action": "courriels"},
            files={
                "fichier": ("c.csv", b"code;courriel\n" + b"29019;a@b.fr\n" * 500_000, "text/csv")
            },
        )
    page = http.get(f"/operateur/campagnes/{campaign.pk}/invitations/").text
    assert "« Fichier des courriels » : fichier trop volumineux" in page
    assert list(campaign.targets.values_list("code", "email")) == before


# --------------------------------------------------------------------------- answers


def stored_comment() -> list[str]:
    return list(Answer.objects.filter(question_id="commentaire").values_list("value", flat=True))


def test_a_15_mb_answer_is_refused_with_a_french_message(text_link, unchanged):
    http = text_link
    page = http.get("/r/questionnaire/commentaires/")
    assert page.status_code == 200 and 'maxlength="10000"' in page.text
    version = Response.objects.get(campaign__name="Textes").version
    huge = "x" * 15_000_000
    with unchanged():
        answer = http.post(
            "/r/questionnaire/commentaires/",
            {"commentaire": huge, "version": version, "action": "save"},
        )
    assert answer.status_code == 200
    assert (
        "Réponse trop longue : 15\u202f000\u202f000 caractères, 10\u202f000 au plus" in answer.text
    )
    assert stored_comment() == []
    with unchanged():
        saved = http.post(
            "/r/questionnaire/commentaires/autosave/",
            {"commentaire": huge, "version": version, "fields": "commentaire"},
        )
    assert saved.status_code == 200
    assert "Réponse trop longue" in saved.json()["invalid"]["commentaire"]
    assert stored_comment() == []
    # a long but acceptable answer is stored
    http.post(
        "/r/questionnaire/commentaires/autosave/",
        {"commentaire": "y" * 10_000, "version": version, "fields": "commentaire"},
    )
    assert stored_comment() == ["y" * 10_000]


def test_a_body_beyond_the_form_cap_gets_a_french_400(text_link, unchanged):
    version = Response.objects.get(campaign__name="Textes").version
    with unchanged():
        answer = text_link.post(
            "/r/questionnaire/commentaires/",
            {"commentaire": "x" * 25_000_000, "version": version},
        )
    assert answer.status_code == 400 and "Requête refusée" in answer.text
    assert stored_comment() == []


def test_the_answers_import_file_has_its_cap(world, unchanged, monkeypatch):
    monkeypatch.setattr("barometre.collection.uploads.ANSWERS_FILE_MAX_BYTES", 1_000_000)
    http = world.client("national")
    with unchanged():
        page = http.post(
            f"/operateur/campagnes/{world.finistere.pk}/import/",
            {"source": "mapped", "code_column": "code", "mapping": "a = inc_lieux"},
            files={"file": ("r.csv", b"code;a\n" + b"29019;oui\n" * 200_000, "text/csv")},
        )
    assert page.status_code == 200
    assert "« Fichier » : fichier trop volumineux (2,1 Mo), 1 Mo au plus" in page.text
