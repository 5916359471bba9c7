"""Which language a page speaks: Indonesian, whatever the browser asks, until the person picks English.

Office computers often run an English browser; the app still opens in Indonesian (LANGUAGE_CODE), also on
the login page. The switcher (set_language) keeps the choice in a cookie for the browser and, for a signed-in
person, in their LanguagePreference, which is copied into the session at each login: the choice follows the
person to another computer. The language is read from the session or the cookie, never from the database on
an ordinary request.
"""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from ipsm.models import LanguagePreference

SESSION_KEY = "ipsm_language"


def is_offered(language: str | None) -> bool:
    return language in dict(settings.LANGUAGES)


def chosen_language(request) -> str:
    """The session's choice (a signed-in person's), else the cookie's (the switcher's), else Indonesian."""
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        language = request.session.get(SESSION_KEY)
        if is_offered(language):
            return language
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return language if is_offered(language) else settings.LANGUAGE_CODE


class LanguageMiddleware:
    """Replaces Django's LocaleMiddleware, which would follow the browser's Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


@require_POST
def set_language(request):
    """Django's switcher (cookie, safe `next` redirect), and the choice kept for the signed-in person."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if is_offered(language):
        request.session[SESSION_KEY] = language
        if request.user.is_authenticated:
            LanguagePreference.objects.update_or_create(user=request.user, defaults={"language": language})
    return response


@receiver(user_logged_in, dispatch_uid="ipsm.language.remember")
def restore_language(sender, request, user, **kwargs):
    preference = LanguagePreference.objects.filter(user=user).values_list("language", flat=True).first()
    if request is not None and is_offered(preference):
        request.session[SESSION_KEY] = preference
