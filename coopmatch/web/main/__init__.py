"""Home, about and the signed-in user's dashboard."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from coopmatch.web.main import views  # noqa: E402,F401
