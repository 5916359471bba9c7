#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipsm.settings")
    if not os.environ.get("DATABASE_URL"):
        from ipsm.embedded_db import ensure_dev_database

        ensure_dev_database()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
