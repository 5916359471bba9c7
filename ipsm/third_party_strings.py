"""Strings that third-party templates translate but whose packages ship no Indonesian catalogue.

Listing them here lets makemessages put them into our catalogue, which Django consults first (LOCALE_PATHS).
"""

from django.utils.translation import gettext_noop

DJANGO_TABLES2 = [gettext_noop("previous"), gettext_noop("next")]
