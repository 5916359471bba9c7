# The browser fixtures (Debian's Chromium, the live server, logging in) for test_csp_browser.py.
from tests.browser.conftest import (  # noqa: F401
    browser_context_args,
    browser_type_launch_args,
    live_server,
    log_in,
)
