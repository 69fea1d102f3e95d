#!/usr/bin/env bash
# Benchmark barometre.stats against R `survey` (and samplics) on a full national edition, then the
# whole `barometre analyse` command. Needs: the project venv (.venv), R with survey + data.table
# (apt-get install r-cran-survey r-cran-data.table r-cran-mass); samplics only with SAMPLICS=1
# (Python 3.12, installed in bench/.venv-peers). R_BREAKDOWNS picks the breakdowns R really runs
# (the others are extrapolated per domain level); SAMPLICS_INDICATORS how many indicators samplics
# runs (extrapolated to 400). The coverage simulation is bench/stats/run_coverage.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
data=bench/stats/.data
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
.venv/bin/python bench/stats/make_data.py
.venv/bin/python bench/stats/bench_barometre.py | tee "$data/barometre.json"
.venv/bin/python bench/stats/bench_pipeline.py | tee "$data/pipeline.json"
Rscript bench/stats/bench.R "${R_BREAKDOWNS:-kd_size,opsn,kind}" | tee "$data/r.json"
if [ "${SAMPLICS:-0}" = 1 ]; then
  if [ ! -x bench/.venv-peers/bin/python ]; then
    python3.12 -m venv bench/.venv-peers && printf "*\n" > bench/.venv-peers/.gitignore
    bench/.venv-peers/bin/pip install -q samplics polars
  fi
  bench/.venv-peers/bin/python bench/stats/bench_samplics.py "${SAMPLICS_INDICATORS:-20}" | tee "$data/samplics.json"
fi
.venv/bin/python bench/stats/compare.py
