#!/usr/bin/env bash
# Coverage of the published 95 % intervals (bench/stats/coverage_sim.py), six scenarios of 500
# samples each (a few minutes on one core), then the Markdown tables for RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
out=bench/stats/.data
run=(.venv/bin/python bench/stats/coverage_sim.py --samples "${SAMPLES:-500}")
"${run[@]}" --n 3000 --out "$out/coverage_a_3000.json"
"${run[@]}" --n 12000 --out "$out/coverage_b_12000.json"
"${run[@]}" --n 3000 --strata "kind_detail*size_class*opsn" --out "$out/coverage_c_opsn_strata.json"
"${run[@]}" --n 12000 --strata "kind_detail*size_class*opsn" --out "$out/coverage_f_12000_opsn_strata.json"
"${run[@]}" --n 3000 --no-fpc --out "$out/coverage_d_nofpc.json"
"${run[@]}" --n 3000 --no-opsn-margin --out "$out/coverage_e_no_opsn.json"
.venv/bin/python bench/stats/compare.py
