"""The supplier register: list and search, profiles, registration and edits."""

from flask import Blueprint

bp = Blueprint("suppliers", __name__)

from coopmatch.web.suppliers import views  # noqa: E402,F401
