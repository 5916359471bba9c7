"""The export pages: the coverage download and the export log (the engine is ipsm.lib.exports)."""
