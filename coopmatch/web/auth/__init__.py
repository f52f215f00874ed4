"""Sign up, sign in and sign out."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from coopmatch.web.auth import views  # noqa: E402,F401
