"""Spend analysis pages: anchors compared, an anchor's dashboard, exports, the review queue."""

from flask import Blueprint

bp = Blueprint("spend", __name__)

from coopmatch.web.spend import views  # noqa: E402,F401
