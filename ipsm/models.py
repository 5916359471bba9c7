# No models of its own: the module exists so that post_migrate reaches this app (ipsm.apps).
