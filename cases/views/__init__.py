"""The case pages (cases), the PMKS count grid and coverage targets (pmks), exports and history."""
