"""The page shown when the database cannot be reached, instead of a bare server error.

Django turns an exception raised anywhere in a request (a view, the session or login middleware) into a
call of handler500 (ipsm.urls). When the exception is the database going away (connection refused, server
restarting, connection dropped), the person gets a 503 page that says so and to try again shortly, with
Retry-After. Nothing has to be restarted afterwards: Django closes a connection that failed at the end of
the request, and checks a kept connection before reusing it (CONN_HEALTH_CHECKS), so the first request
after the database is back opens a fresh one.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import server_error as default_server_error

RETRY_AFTER_SECONDS = 30


def database_unavailable(exception: BaseException | None) -> bool:
    return isinstance(exception, OperationalError | InterfaceError)


@requires_csrf_token
def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500: a 503 page when the database is unreachable, else Django's own 500 response."""
    if not database_unavailable(sys.exc_info()[1]):
        return default_server_error(request, template_name)
    # Rendered without the request: context processors would read the session and user from the database.
    body = loader.get_template("503.html").render({"retry_after": RETRY_AFTER_SECONDS})
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
