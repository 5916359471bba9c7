"""Training events (events), the five-level indicator report (indicators), exports and history."""
