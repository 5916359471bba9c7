"""Development tooling: demo data, the national data generator, benchmarks and the load test.

Imported by management commands (thin wrappers) and tests only; nothing in the apps or ipsm.lib imports it
(checked by import-linter, pyproject.toml)."""
