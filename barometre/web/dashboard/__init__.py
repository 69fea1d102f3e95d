"""Public dashboard: the report's result tables as Django pages, filterable, with CSV downloads."""
