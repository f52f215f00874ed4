"""Gap reports for development agencies: table, cards, charts, exports, a printable report."""

from flask import Blueprint

bp = Blueprint("gaps", __name__)

from coopmatch.web.gaps import views  # noqa: E402,F401
