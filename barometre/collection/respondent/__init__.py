"""Respondent side of the collection app: private link, paged questionnaire, autosave, receipt."""
