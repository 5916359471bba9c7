"""Third-party apps under Indonesian names in the admin (INSTALLED_APPS names these configs)."""

import axes.apps
import django_tasks_db.apps
from django.utils.translation import gettext_lazy as _


class AxesConfig(axes.apps.AppConfig):
    """django-axes under an Indonesian name in the admin."""

    verbose_name = _("Login protection")


class TasksDatabaseConfig(django_tasks_db.apps.TasksAppConfig):
    """django-tasks-db (the import worker's queue) under an Indonesian name in the admin."""

    verbose_name = _("Background tasks")
