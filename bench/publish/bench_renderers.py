"""The national report site, today's renderer side by side with the Vega-Lite one it replaced.

Run: .venv/bin/python bench/publish/bench_renderers.py [--size 36224] [--old REV] [--out DIR]

One simulated national edition (the DINUM frame and questionnaire, 36,224 respondents) is built
once; then, each in its own fresh process, the code of revision `--old` (the last one whose
charts were Vega-Lite SVG files rendered by vl-convert, extracted with `git archive`; it reads
the same answers with its own copy of the questionnaire, which has no statements) and the current
code build the same report site (`build_report` without PDF: analysis, pages and charts,
open data, dashboard tables), timing the analysis and the site separately. The old renderer needs
altair and vl-convert (`pip install -e .[bench]`; both are pinned in `requirements.lock`).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OLD_RENDERER = "6856949"  # main before the HTML charts: Vega-Lite SVG files (altair + vl-convert)
DINUM = "dinum-collectivites-numerique-2024"

CHILD = r"""
import json, resource, sys, time
from pathlib import Path

def clock():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter(), u.ru_utime + u.ru_stime

from barometre.register import load_register
try:  # the results layer moved out of publish after the old renderer's revision
    from barometre.results.store import compute_results, save_results
except ImportError:
    from barometre.publish.results import compute_results, save_results
from barometre.publish.site import write_site
from barometre.publish.themes import get_theme
from barometre.publish.opendata import write_package

edition, out = Path(sys.argv[1]), Path(sys.argv[2])
start = clock()
load_register()
results = compute_results(edition)
analysed = clock()
pages = write_site(results, out, get_theme("neutral"))
sited = clock()
write_package(results, out / "donnees")
save_results(results, out / "resultats")
done = clock()
charts = len(list((out / "graphiques").glob("*.svg"))) if (out / "graphiques").is_dir() else 0
html = sum(p.read_text(encoding="utf-8").count('<figure class="chart') for p in pages)
print(json.dumps({
    "analysis": [analysed[0] - start[0], analysed[1] - start[1]],
    "site": [sited[0] - analysed[0], sited[1] - analysed[1]],
    "data": [done[0] - sited[0], done[1] - sited[1]],
    "total": [done[0] - start[0], done[1] - start[1]],
    "pages": len(pages),
    "charts": charts or html,
}))
"""


def national_edition(folder: Path, size: int) -> Path:
    """The simulated national DINUM edition (written once, read by both renderers)."""
    from barometre.edition.figures import load_figures
    from barometre.edition.files import write_edition
    from barometre.edition.simulate import simulate_edition
    from barometre.questionnaire.templates_catalogue import load_template, template_text
    from barometre.register import load_register

    simulated = simulate_edition(
        load_template(DINUM),
        list(load_figures(DINUM).figures),
        load_register().entities,
        load_figures(DINUM).demo,
        size=size,
        seed=7,
    )
    meta = {"id": "bench-dinum", "title": "Banc d'essai", "year": 2026, "template": DINUM}
    return write_edition(
        folder,
        meta=meta,
        questionnaire_text=template_text(DINUM),
        responses=simulated.responses,
        frame_attributes=simulated.frame_attributes,
    )


def old_code(revision: str, folder: Path) -> Path:
    """The `barometre` package of a git revision, extracted into `folder`."""
    archive = folder / "old.tar"
    with archive.open("wb") as handle:
        subprocess.run(
            ["git", "-C", str(ROOT), "archive", revision, "barometre"], stdout=handle, check=True
        )
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    return folder


def run(code_root: Path, edition: Path, out: Path) -> dict:
    """Build the report site in a fresh process importing `barometre` from `code_root`."""
    env = os.environ | {"PYTHONPATH": str(code_root)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(edition), str(out)],
        env=env,
        cwd=code_root,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"échec du rendu ({code_root}) :\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Both renderers on the same edition; one table of wall and CPU seconds."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=36224)
    parser.add_argument("--old", default=OLD_RENDERER)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "bench-renderers")
    args = parser.parse_args()
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    edition = national_edition(out / "edition", args.size)
    with tempfile.TemporaryDirectory(prefix="barometre-old-") as tmp:
        old = old_code(args.old, Path(tmp))
        # the same answers, with the questionnaire as the old code reads it (no statements)
        old_edition = out / "edition-ancienne"
        shutil.copytree(edition, old_edition, dirs_exist_ok=True)
        template = old / "barometre" / "questionnaire" / "templates" / f"{DINUM}.yaml"
        shutil.copyfile(template, old_edition / "questionnaire.yaml")
        results = {
            f"Vega-Lite ({args.old})": run(old, old_edition, out / "site-ancien"),
            "HTML (actuel)": run(ROOT, edition, out / "site-actuel"),
        }
    print(
        f"Édition nationale DINUM, {args.size} répondants ; secondes mur / CPU ; charge : ", end=""
    )
    print(os.getloadavg())
    print(f"{'étape':<34}" + "".join(f"{name:>28}" for name in results))
    for step, label in (
        ("analysis", "analyse (calage, estimations)"),
        ("site", "pages et graphiques"),
        ("data", "données ouvertes + tableau de bord"),
        ("total", "site complet"),
    ):
        cells = "".join(f"{r[step][0]:>16.1f} / {r[step][1]:>8.1f}" for r in results.values())
        print(f"{label:<34}{cells}")
    print(
        f"{'pages, graphiques':<34}"
        + "".join(f"{str(r['pages']) + ', ' + str(r['charts']):>28}" for r in results.values())
    )
    old_site, new_site = (r["site"][0] for r in results.values())
    print(f"pages et graphiques : {old_site / new_site:.0f}× plus rapide")


if __name__ == "__main__":
    main()
