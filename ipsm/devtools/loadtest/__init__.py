"""The load test run by `make loadtest` (run.py drives locustfile.py)."""
