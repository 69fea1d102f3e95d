"""barometre.stats: design, calibration, estimates with calibrated variance, domains, evolution,
suppression and the `analyse` pipeline (no Django; works on NumPy/Polars columns).

Modules: `design` (Design), `calibration` (Margin, calibrate), `variance` (linearisation),
`domains` (Breakdown, domain_means), `intervals` (CIs), `quantiles` (medians, Woodruff CI),
`evolution` (differences between editions), `replicates` (jackknife, bootstrap),
`disclosure` (suppression flags), `indicators` (questionnaire → indicator matrices),
`analysis` (analyse: responses + questionnaire + frame → tidy table).
"""
