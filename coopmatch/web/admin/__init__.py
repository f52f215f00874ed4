"""Administration: organisations, accounts and the audit log. Administrators only."""

from flask import Blueprint

from coopmatch.web.access import roles_required

bp = Blueprint("admin", __name__)


@bp.before_request
@roles_required("admin")
def require_admin():
    """Every admin page is for administrators only."""
    return None


from coopmatch.web.admin import views  # noqa: E402,F401
