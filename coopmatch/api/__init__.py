"""The JSON API under /api: thin views over the same services as the web pages."""

from flask import Blueprint

from coopmatch.web.access import csrf

bp = Blueprint("api", __name__)
# The API is read-only for now and used with GET; nothing here accepts a form post.
csrf.exempt(bp)

from coopmatch.api import views  # noqa: E402,F401
