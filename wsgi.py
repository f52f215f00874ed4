"""WSGI entry point: gunicorn 'wsgi:app'."""

import os

from coopmatch import create_app

app = create_app(os.environ.get("COOPMATCH_ENV", "production"))
