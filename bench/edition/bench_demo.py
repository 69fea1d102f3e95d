"""Time the demo simulator and the edition reader on the real register.

Run: .venv/bin/python bench/edition/bench_demo.py  (prints one line per size, wall-clock seconds)
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from barometre.edition.figures import load_figures
from barometre.edition.files import read_edition, write_edition
from barometre.edition.simulate import simulate_edition
from barometre.questionnaire.templates_catalogue import load_template, template_text
from barometre.register import load_register

TEMPLATE = "dinum-collectivites-numerique-2024"


def main() -> None:
    """Simulate, write and read back a DINUM-like edition at two sizes."""
    register = load_register()
    questionnaire = load_template(TEMPLATE)
    figures = load_figures(TEMPLATE)
    for size in (3_000, 36_224):
        start = time.perf_counter()
        simulated = simulate_edition(
            questionnaire,
            list(figures.figures),
            register.entities,
            figures.demo,
            size=size,
            seed=2024,
        )
        simulated_at = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder:
            path = write_edition(
                Path(folder) / "demo",
                meta={"id": "bench"},
                questionnaire_text=template_text(TEMPLATE),
                responses=simulated.responses,
                frame_attributes=simulated.frame_attributes,
            )
            written_at = time.perf_counter()
            read_edition(path, known_codes=register.entities.get_column("code"))
            read_at = time.perf_counter()
        print(
            f"size={size}: {simulated.responses.height} submissions, "
            f"simulate {simulated_at - start:.2f} s, write {written_at - simulated_at:.2f} s, "
            f"read+validate {read_at - written_at:.2f} s"
        )


if __name__ == "__main__":
    main()
