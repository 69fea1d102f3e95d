"""Answers collected elsewhere (LimeSurvey, KoboToolbox/ODK, any CSV/XLSX) turned into edition answers.

A pure library (no Django): read a file, map its columns to the questionnaire, resolve the
identifiers typed by respondents against the register, check every answer with the rules of the
web form, and report in French, line by line. The collection app stores the result in a campaign;
`barometre import` writes it into an edition folder or a campaign.
"""
