"""Importing files through the web: upload, preview, import with progress, summary."""

from flask import Blueprint

bp = Blueprint("imports", __name__)

from coopmatch.web.imports import views  # noqa: E402,F401
