import pytest
from django.conf import settings


@pytest.fixture(autouse=True)
def english(client):
    """Headers in the source language, so that tests do not depend on the catalogue (one test removes it)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
