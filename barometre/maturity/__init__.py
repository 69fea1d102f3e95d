"""barometre.maturity: maturity scores, levels, typology, correlations and recommendations.

A pure library (no Django), built on `barometre.stats` for every weighted population figure:

- `model`: the maturity part of a questionnaire (themes, weighted items, ordered levels);
- `scores`: level codes → 0–100 item scores → theme scores → overall index (min answered share);
- `levels`: named levels cut by thresholds, presets `ey2023` (6 levels) and `ey2019` (5 stages);
- `population`: weighted means, level distributions and profile shares with CIs, by domain;
- `typology`: seeded weighted k-means, silhouette, bootstrap stability, profile names;
- `correlations`: weighted Spearman/Pearson with p-values, CIs, effect sizes, partial correlation;
- `variables`: numeric variables by name (scores, questions, register and frame attributes);
- `recommendations`: next level per theme and item for individual reports;
- `sample`: respondents, frame and design of an edition; `analysis`: the tidy tables of the CLI.
"""
