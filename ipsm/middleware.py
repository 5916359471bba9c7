"""Project middleware."""

from django.utils.cache import patch_cache_control


class NoStoreForUsersMiddleware:
    """`Cache-Control: no-store, private` on every response to a signed-in user, pages, exports and print
    views alike: a member page with a whole NIK, a case or a CSV must not stay in the cache of a shared
    office computer or of a proxy (UU PDP 27/2022)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response
