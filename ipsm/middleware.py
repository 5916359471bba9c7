"""Project middleware."""

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied
from django.utils.cache import patch_cache_control

from ipsm.lib.query import has_control_characters


class NoStoreForUsersMiddleware:
    """`Cache-Control: no-store, private` on every response to a signed-in user, pages, exports and print
    views alike: a member page with a whole NIK, a case or a CSV must not stay in the cache of a shared
    office computer or of a proxy (UU PDP 27/2022)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Only a request with a session cookie can be signed in; asking request.user otherwise would read
        # the session and add `Vary: Cookie` to public pages (the card verification page).
        if settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response


class RefuseControlCharactersMiddleware:
    """400 for a control character (NUL above all) in a URL's path or in a query parameter's name or value,
    before any view runs: no link or form of ours sends one, and a NUL that reached PostgreSQL through a
    parser someone forgot would give a 500. Defence in depth only: each page's forms and filters refuse junk
    themselves (ipsm/lib/query.py; tests/resilience/test_junk_params.py checks them with this guard off)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        texts = [request.path_info, *(text for key, values in request.GET.lists() for text in (key, *values))]
        if any(has_control_characters(text) for text in texts):
            # Django answers BadRequest with 400 (handler400), logged on django.security.
            raise BadRequest("A control character in the URL.")
        return self.get_response(request)


class PsmPagesOnlyMiddleware:
    """A PSM's own account (members.accounts) opens their pages (/saya/, the `psm` namespace) and the few
    every user needs (login, logout, language, the home page that sends them to /saya/); every other page
    is 403 before its view runs, whatever its own checks would say: denied by default."""

    ALLOWED_NAMESPACES = {"psm", "notices"}  # notices: their own (ipsm.notices)
    ALLOWED_NAMES = {"home", "login", "logout", "set_language", "members:verify"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if settings.SESSION_COOKIE_NAME not in request.COOKIES or not request.user.is_authenticated:
            return None
        from members.accounts import is_psm_account

        if not is_psm_account(request.user):
            return None
        match = request.resolver_match
        if match.namespace in self.ALLOWED_NAMESPACES or match.view_name in self.ALLOWED_NAMES:
            return None
        raise PermissionDenied
