"""From an edition to every table a publication needs, built once (see docs/contracts.md).

`Survey.from_edition(folder, SurveyOptions(...))` gives the target population, the respondents,
the design with its finite-population correction (through the one calibration fallback ladder)
and the result tables; `compute_results` gathers them for a report, `save_results` /
`load_results` keep them for the dashboard. No Django here.
"""
