"""Strings that third-party templates translate but whose packages ship no Indonesian catalogue.

Listing them here lets makemessages put them into our catalogue, which Django consults first (LOCALE_PATHS).
"""

from django.utils.translation import gettext_noop, pgettext_lazy

DJANGO_TABLES2 = [gettext_noop("previous"), gettext_noop("next")]

# The admin pages of django-axes (login protection), django-tasks (background imports) and
# django-simple-history: strings their Indonesian catalogues lack or do not have.
DJANGO_AXES = [
    gettext_noop("Access Attempt"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Expires At"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Locked Out"),
    gettext_noop("Meta Data"),
    gettext_noop("Not set"),
    gettext_noop("Path"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("User Agent"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
]
DJANGO_TASKS = [
    pgettext_lazy("Task", "Ready"),
    pgettext_lazy("Task", "Running"),
    pgettext_lazy("Task", "Failed"),
    pgettext_lazy("Task", "Successful"),
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
    gettext_noop("args kwargs"),
    gettext_noop("backend name"),
    gettext_noop("enqueued at"),
    gettext_noop("exception class path"),
    gettext_noop("finished at"),
    gettext_noop("priority"),
    gettext_noop("queue name"),
    gettext_noop("return value"),
    gettext_noop("run after"),
    gettext_noop("started at"),
    gettext_noop("status"),
    gettext_noop("task path"),
    gettext_noop("traceback"),
    gettext_noop("worker id"),
]
DJANGO_SIMPLE_HISTORY = [gettext_noop("Changes"), gettext_noop("Deleted %(type_name)s"), gettext_noop("None")]
# Django's own Indonesian catalogue, where it reads wrong ("Rubah atau tampilkan tautan kunjungan").
DJANGO_ADMIN = [gettext_noop("Change or view list link"), gettext_noop("Add link")]
