"""HTML error pages app-wide; domain errors become pages or JSON depending on the request."""

import logging

from flask import Flask, abort, current_app, g, jsonify, render_template, request
from sqlalchemy.exc import OperationalError, ProgrammingError

from coopmatch.db import schema_behind
from coopmatch.errors import CoopmatchError

log = logging.getLogger(__name__)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    @app.errorhandler(CoopmatchError)
    def domain_error(error: CoopmatchError):
        if _wants_json():
            return jsonify(error.to_dict()), error.status_code
        return render_template("errors/error.html", error=error), error.status_code

    for code, title in {
        400: "Bad request",
        403: "You do not have permission to do this",
        404: "Page not found",
        405: "Method not allowed",
        413: "File too large",
    }.items():
        app.register_error_handler(code, _handler(code, title))

    @app.errorhandler(500)
    def server_error(error):
        _roll_back()
        log.exception("Unhandled error on %s", request.path)
        if _wants_json():
            return jsonify({"error": "ServerError", "message": "Something went wrong."}), 500
        return render_template("errors/500.html"), 500

    @app.errorhandler(OperationalError)
    @app.errorhandler(ProgrammingError)
    def database_error(error):
        """A database the migrations have not built (or not brought up to date) says so, for
        whoever runs the service, rather than failing as an unexplained error."""
        _roll_back()
        try:
            behind = schema_behind(current_app.config["DATABASE_URL"])
        except Exception:  # noqa: BLE001 - the database is down: the error itself is logged below
            behind = None
        if behind is None:
            return server_error(error)
        log.error("The database %s: run `coopmatch db upgrade` (on %s)", behind, request.path)
        message = ("The service's database is not set up yet, or is older than the service. "
                   "Whoever runs it needs to run `coopmatch db upgrade`. Nothing you entered "
                   "was saved.")
        if _wants_json():
            return jsonify({"error": "ServiceUnavailable", "message": message}), 503
        return render_template("errors/error.html", title="This service is not ready yet",
                               message=message, error=None), 503


def refused(error: CoopmatchError) -> None:
    """After a service refused a change: roll this request's session back, and end the request
    where the user may not make it or the record is not there (403, 404). Other refusals are
    the caller's to show (a flash, a field's error)."""
    _roll_back()
    if error.status_code in (403, 404):
        abort(error.status_code)


def _roll_back() -> None:
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def _handler(code: int, title: str):
    def handle(error):
        message = getattr(error, "description", "") or title
        if _wants_json():
            return jsonify({"error": title, "message": message}), code
        return render_template(f"errors/{code}.html" if code in (403, 404) else
                               "errors/error.html", title=title, message=message,
                               error=None), code

    return handle
