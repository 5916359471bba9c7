"""Engines every app uses: imports, exports, spreadsheets, history, concurrency, tables, form helpers, dates.

Django and third-party packages only: never members, cases or trainings (import-linter, pyproject.toml).
What is domain-specific is the app's, handed to the engine as a parameter.
"""
