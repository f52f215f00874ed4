from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from coopmatch.db import get_session
from coopmatch.errors import CoopmatchError
from coopmatch.services import accounts, organisations
from coopmatch.web.auth import bp
from coopmatch.web.auth.forms import SignInForm, SignUpForm


def _safe_next(target: str | None) -> str:
    """Only follow a `next` link within this site."""
    if target and not urlsplit(target).netloc and target.startswith("/"):
        return target
    return url_for("main.dashboard")


@bp.route("/sign-up", methods=["GET", "POST"])
def sign_up():
    session = get_session()
    form = SignUpForm()
    form.organisation_id.choices = [(0, "Choose an organisation")] + [
        (o.id, o.name) for o in organisations.list_organisations(session=session)
    ]
    if form.validate_on_submit():
        try:
            user = accounts.sign_up(
                session, email=form.email.data, password=form.password.data,
                name=form.name.data, role=form.role.data,
                organisation_id=form.organisation_id.data or None,
            )
        except CoopmatchError as error:
            session.rollback()
            getattr(form, error.field or "email").errors.append(error.message)
        else:
            if not user.active:
                return render_template("auth/pending.html", user=user)
            login_user(user)
            flash("Your account is ready. Now tell buyers what your business does.", "success")
            return redirect(url_for("suppliers.register"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/sign_up.html", form=form), status


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = SignInForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(get_session(), email=form.email.data,
                                         password=form.password.data)
        except CoopmatchError as error:
            form.email.errors.append(error.message)
        else:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/sign_in.html", form=form), status


@bp.get("/login")
@bp.get("/sign-in/")
def sign_in_elsewhere():
    """Where people guess the sign-in page is: sent on to it, with where they were going."""
    target = request.args.get("next")
    return redirect(url_for("auth.sign_in", **({"next": target} if target else {})), 301)


@bp.post("/sign-out")
@login_required
def sign_out():
    logout_user()
    flash("You have signed out.", "info")
    return redirect(url_for("main.home"))
