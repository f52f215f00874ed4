from flask import redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func
from sqlmodel import select

from coopmatch.db import get_session
from coopmatch.models import Organisation, Supplier, Tender
from coopmatch.services import spend
from coopmatch.services.permissions import can_read_reports
from coopmatch.web.main import bp


@bp.get("/")
def home():
    session = get_session()
    counts = {
        "open_tenders": session.exec(
            select(func.count()).where(Tender.status == "open")).one(),
        "tenders": session.exec(select(func.count()).select_from(Tender)).one(),
        "suppliers": session.exec(select(func.count()).select_from(Supplier)).one(),
        "anchors": session.exec(
            select(func.count()).select_from(Organisation)
            .where(Organisation.kind != "agency")).one(),
    }
    # An agency's work waiting for it: names said not to be their supplier, and names to
    # review (how it hears of a supplier's "Not us").
    waiting = spend.waiting_for_review(session) if can_read_reports(current_user) else None
    return render_template("main/home.html", counts=counts, waiting=waiting)


@bp.get("/about")
def about():
    return render_template("main/about.html")


@bp.get("/dashboard")
@login_required
def dashboard():
    """Send each role to the page it starts from."""
    if current_user.role == "supplier":
        if current_user.supplier_id:
            return redirect(url_for("suppliers.detail", supplier_id=current_user.supplier_id))
        return redirect(url_for("suppliers.register"))
    if current_user.role == "procurement":
        return redirect(url_for("tenders.index", buyer=current_user.organisation_id, status=""))
    if current_user.role == "admin":
        return redirect(url_for("admin.users"))
    if current_user.role == "agency":  # openings for new co-ops and buyouts
        return redirect(url_for("gaps.index"))
    return redirect(url_for("tenders.index"))
