"""The registry pages: members, units, boards (registry), duplicates and merging, exports, history, print
views."""
