"""Time the whole `barometre analyse` command on a national edition folder, start-up included.

The 150 items of make_data.py become a questionnaire (100 yes/no, 50 six-category questions behind
a filter question) and a `responses.csv` of text answers for every commune and EPCI, with the OPSN
attribute in `frame_attributes.csv`: what `barometre analyse EDITION` reads. The same answers are
written twice: in the order of the codes, and in a random order (as an export lists submissions,
by arrival); the command is timed on both. The command runs in a
fresh process (the installed `barometre analyse …`), as a user runs it: wall time, CPU time and
peak memory of that process. `--profile` prints where the time goes (cProfile, in-process).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

DATA = Path(__file__).parent / ".data"
EDITION = DATA / "edition"
SHUFFLED = DATA / "edition-submission-order"  # the same answers in a random (submission) order
BREAKDOWNS = "size_class,region_group,opsn,kind"


def questionnaire_yaml() -> str:
    """150 questions: b000–b099 yes/no, c00–c49 single choice asked after b000 or b001 = oui."""
    lines = ["id: bench", "title: Banc d'essai", 'version: "1"', 'edition: "2026"', "themes:"]
    lines += ["  - id: t", "    label: Thème", "    questions:"]
    lines += [
        f"      - {{id: b{j:03d}, type: yes_no, label: Q{j}, allow_nsp: true}}" for j in range(100)
    ]
    for j in range(50):
        filt = "b000" if j < 25 else "b001"
        choices = ", ".join(f"{{code: m{c}, label: M{c}}}" for c in range(6))
        lines.append(
            f"      - {{id: c{j:02d}, type: single_choice, label: C{j}, "
            f"relevant: \"${{{filt}}} = 'oui'\", choices: [{choices}]}}"
        )
    return "\n".join(lines) + "\n"


def write_edition_folder() -> Path:
    """The benchmark edition as a folder of text files (built once from make_data.py's table)."""
    from barometre.edition.files import write_edition

    table = pl.read_parquet(DATA / "edition.parquet")
    answers = {
        "response_id": [f"r{i}" for i in range(table.height)],
        "code": table["code"],
        "submitted_at": ["2026-04-01T10:00:00"] * table.height,
        "status": ["complete"] * table.height,
        "respondent_role": [""] * table.height,
    }
    for j in range(100):
        answers[f"b{j:03d}"] = np.where(table[f"b{j:03d}"].to_numpy() == 1, "oui", "non")
    for j in range(50):
        cat = np.stack([table[f"c{j:02d}_{c}"].to_numpy() for c in range(6)], axis=1)
        answers[f"c{j:02d}"] = np.where(
            cat.any(axis=1), np.char.add("m", cat.argmax(axis=1).astype(str)), ""
        )
    meta = {
        "id": "bench",
        "title": "Banc d'essai national",
        "year": 2026,
        "calibration": {"margins": ["kind_detail*size_class", "region_group"]},
    }
    responses = pl.DataFrame(answers).with_columns(pl.col(pl.String).replace("", None))
    for folder, rows in (
        (SHUFFLED, responses.sample(fraction=1.0, shuffle=True, seed=1)),
        (EDITION, responses),
    ):
        write_edition(
            folder,
            meta=meta,
            questionnaire_text=questionnaire_yaml(),
            responses=rows,
            frame_attributes=table.select("code", "opsn"),
        )
    return EDITION


def command(output: Path, edition: Path = EDITION) -> list[str]:
    """The `barometre analyse` command line of the benchmark."""
    return [
        str(Path(sys.executable).with_name("barometre")),
        "analyse",
        str(edition),
        "--breakdowns",
        BREAKDOWNS,
        "-o",
        str(output),
    ]


def run_once(output: Path, edition: Path = EDITION) -> dict:
    """One fresh process: wall, CPU (user + system) and peak memory of the child.

    Peak memory is read from the child's own rusage (`os.wait4`), not from RUSAGE_CHILDREN, whose
    ru_maxrss is the largest of all children so far."""
    start = time.perf_counter()
    child = subprocess.Popen(
        command(output, edition),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    stderr = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(stderr)
    cpu = usage.ru_utime + usage.ru_stime
    return {"seconds": wall, "cpu_seconds": cpu, "peak_rss_mb": usage.ru_maxrss / 1024}


def startup() -> float:
    """Wall time of `barometre analyse --help` (interpreter, click, the command's imports)."""
    start = time.perf_counter()
    subprocess.run([*command(Path("x"))[:2], "--help"], capture_output=True, check=True)
    return time.perf_counter() - start


def main() -> None:
    """Build the edition folders, run the command `BENCH_RUNS` times on each (best and median wall
    kept, largest peak memory), print one JSON line per folder."""
    if "--profile" in sys.argv:
        profile()
        return
    if "--write" in sys.argv:
        write_edition_folder()
        return
    # written by another process: a child's peak memory (ru_maxrss) counts the memory of the
    # process it was forked from, so this one stays small
    subprocess.run([sys.executable, __file__, "--write"], check=True)
    # the package's bytecode, as an installed package has it (pip compiles at install time): with
    # PYTHONDONTWRITEBYTECODE set, as on these machines, every run would compile it again
    import barometre

    package = Path(barometre.__file__).parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)
    output = DATA / "pipeline" / "resultats.csv"
    output.parent.mkdir(exist_ok=True)
    repeat = int(os.environ.get("BENCH_RUNS", "7"))
    for order, edition in (("code", EDITION), ("submission", SHUFFLED)):
        runs = [run_once(output, edition) for _ in range(repeat)]
        best = min(runs, key=lambda r: r["seconds"])
        walls = sorted(r["seconds"] for r in runs)
        rows = pl.read_csv(output, infer_schema_length=0).height
        print(
            json.dumps(
                {
                    "tool": "barometre analyse (command)",
                    "responses_order": order,
                    "seconds": round(best["seconds"], 3),
                    "median_seconds": round(walls[len(walls) // 2], 3),
                    "cpu_seconds": round(best["cpu_seconds"], 3),
                    "peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs)),
                    "startup_seconds": round(min(startup() for _ in range(3)), 3),
                    "runs": [round(r["seconds"], 3) for r in runs],
                    "rows": rows,
                    "n": pl.scan_parquet(DATA / "edition.parquet")
                    .select(pl.len())
                    .collect()
                    .item(),
                    "load_average": round(os.getloadavg()[0], 1),
                }
            )
        )


def profile() -> None:
    """cProfile of the command in this process (the edition folder must exist)."""
    import cProfile
    import pstats

    from barometre.cli import main as cli

    output = DATA / "pipeline" / "resultats.csv"
    output.parent.mkdir(exist_ok=True)
    prof = cProfile.Profile(timer=time.process_time)
    prof.enable()
    try:
        cli.main(command(output)[1:], standalone_mode=False)
    finally:
        prof.disable()
    pstats.Stats(prof).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
