"""Tenders: list and search, detail, post, edit and close."""

from flask import Blueprint

bp = Blueprint("tenders", __name__)

from coopmatch.web.tenders import views  # noqa: E402,F401
