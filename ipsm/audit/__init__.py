"""The activity log: who changed what, who took data out or brought it in (UU PDP 27/2022)."""
