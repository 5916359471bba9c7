"""Number formatting the apps share for exports and charts."""


def percent(share: float | None) -> float | None:
    """A share (a fraction 0..1) as a percentage with one decimal, as exports and charts show it; None
    stays None (nobody counted)."""
    return None if share is None else round(float(share) * 100, 1)
