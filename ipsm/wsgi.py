import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipsm.settings")
if not os.environ.get("DATABASE_URL"):
    from ipsm.embedded_db import ensure_dev_database

    ensure_dev_database()

application = get_wsgi_application()
