"""The import pages: upload, preview, confirm, templates (the engine is ipsm.lib.imports)."""
