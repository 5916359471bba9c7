from django.apps import AppConfig
from django.db.models.signals import post_migrate


class IpsmConfig(AppConfig):
    name = "ipsm"
    verbose_name = "IPSM"

    def ready(self) -> None:
        from ipsm import language  # noqa: F401  (its login receiver restores a person's language)
        from ipsm.roles import sync_role_groups

        # Groups and their permissions are defined in code (ipsm/roles.py) and kept in step after migrate.
        post_migrate.connect(sync_role_groups, sender=self)
