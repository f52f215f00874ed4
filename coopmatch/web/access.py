"""Sign-in sessions and role checks, in one place."""

from functools import wraps

from flask import Flask, abort, flash, jsonify, redirect, request, url_for
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect

from coopmatch.db import get_session
from coopmatch.models import User

login_manager = LoginManager()
csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    csrf.init_app(app)


@login_manager.unauthorized_handler
def unauthorized():
    """API callers get 401 JSON; people get the sign-in page."""
    if request.path.startswith("/api/"):
        return jsonify({"error": "Unauthorized", "message": "Sign in first."}), 401
    flash("Sign in to continue.", "info")
    return redirect(url_for("auth.sign_in", next=request.full_path))


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = get_session().get(User, int(user_id))
    return user if user and user.active else None


def roles_required(*roles: str):
    """Allow a view only to signed-in users with one of these roles (admins always)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                flash("Sign in to continue.", "info")
                return redirect(url_for("auth.sign_in", next=request.full_path))
            if current_user.role != "admin" and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def signed_in_user() -> User | None:
    """Return the signed-in user, or None for a visitor."""
    return current_user if current_user.is_authenticated else None
