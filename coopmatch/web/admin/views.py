from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from coopmatch.db import get_session
from coopmatch.errors import CoopmatchError
from coopmatch.reference import current as reference
from coopmatch.services import (
    accounts,
    audit,
    distinct,
    jobs,
    merges,
    organisations,
    removals,
    suppliers,
)
from coopmatch.web.admin import bp
from coopmatch.web.admin.forms import (
    LocateForm,
    MergeForm,
    OrganisationForm,
    OrganisationMergeForm,
    UserForm,
    UserUpdateForm,
)
from coopmatch.web.imports.views import job_settings


def _organisation_choices(form) -> None:
    form.organisation_id.choices = [(0, "None")] + [
        (o.id, o.name) for o in organisations.list_organisations(session=get_session())
    ]


@bp.get("/organisations")
def organisation_list():
    session = get_session()
    return render_template(
        "admin/organisations.html",
        organisations=organisations.list_organisations(session=session),
        pairs=organisations.duplicate_candidates(session=session, user=current_user,
                                                 geo=reference().geo),
        distinct=distinct.recent(session, user=current_user, kind="organisation"))


@bp.route("/organisations/new", methods=["GET", "POST"])
@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
def organisation_form(organisation_id: int | None = None):
    session = get_session()
    existing = (organisations.get_organisation(session=session, organisation_id=organisation_id)
                if organisation_id else None)
    form = OrganisationForm(obj=existing)
    if form.validate_on_submit():
        try:
            if existing:
                organisations.update_organisation(session, actor=current_user,
                                                  organisation_id=existing.id,
                                                  data=form.to_data(), ref=reference())
            else:
                organisations.create_organisation(session, actor=current_user,
                                                  data=form.to_data(), ref=reference())
        except CoopmatchError as error:
            session.rollback()
            getattr(form, error.field or "name", form.name).errors.append(error.message)
        else:
            flash("Organisation saved.", "success")
            return redirect(url_for("admin.organisation_list"))
    return render_template("admin/organisation_form.html", form=form, organisation=existing,
                           merge_form=_merge_form(existing) if existing else None), (
        400 if form.is_submitted() else 200)


def _merge_form(organisation, formdata=None) -> OrganisationMergeForm:
    form = OrganisationMergeForm(formdata=formdata)
    form.other_id.choices = [(0, "Choose an organisation")] + [
        (o.id, o.name) for o in organisations.list_organisations(session=get_session())
        if o.id != organisation.id]
    return form


@bp.post("/organisations/<int:organisation_id>/merge")
def organisation_merge(organisation_id: int):
    """Merge another organisation into this one (CSRF checked by the form)."""
    session = get_session()
    keep = organisations.get_organisation(session=session, organisation_id=organisation_id)
    form = _merge_form(keep, formdata=request.form)
    if form.validate_on_submit():
        other_name = dict(form.other_id.choices).get(form.other_id.data, "")
        try:
            kept = organisations.merge_organisations(
                session, user=current_user, keep_id=keep.id, other_id=form.other_id.data)
        except CoopmatchError as error:
            session.rollback()
            form.other_id.errors.append(error.message)
        else:
            flash(f"Merged {other_name} into {kept.name}: its tenders, accounts and payments "
                  "are now this organisation's, and imports that name it find this one.",
                  "success")
            if request.form.get("next") == "list":
                return redirect(url_for("admin.organisation_list")), 303
            return redirect(url_for("admin.organisation_form", organisation_id=kept.id)), 303
    return render_template("admin/organisation_form.html",
                           form=OrganisationForm(formdata=None, obj=keep),
                           organisation=keep, merge_form=form), 400


@bp.get("/users")
def users():
    return render_template("admin/users.html",
                           users=accounts.list_users(session=get_session()))


@bp.route("/users/new", methods=["GET", "POST"])
def user_create():
    session = get_session()
    form = UserForm()
    _organisation_choices(form)
    if form.validate_on_submit():
        try:
            accounts.create_user(session, actor=current_user, email=form.email.data,
                                 password=form.password.data, name=form.name.data,
                                 role=form.role.data,
                                 organisation_id=form.organisation_id.data or None)
        except CoopmatchError as error:
            session.rollback()
            getattr(form, error.field or "email", form.email).errors.append(error.message)
        else:
            flash(f"Account created for {form.email.data}.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form), (
        400 if form.is_submitted() else 200)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    session = get_session()
    user = accounts.get_user(session=session, user_id=user_id)
    if user is None:
        return render_template("errors/404.html"), 404
    form = UserUpdateForm(role=user.role, organisation_id=user.organisation_id or 0,
                          active="1" if user.active else "0")
    _organisation_choices(form)
    if form.validate_on_submit():
        try:
            accounts.update_user(session, actor=current_user, user_id=user.id,
                                 role=form.role.data, active=form.active.data == "1",
                                 organisation_id=form.organisation_id.data or 0)
        except CoopmatchError as error:
            session.rollback()
            getattr(form, error.field or "role", form.role).errors.append(error.message)
        else:
            flash(f"Account for {user.email} saved.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_edit.html", form=form, user=user), (
        400 if form.is_submitted() else 200)


@bp.get("/audit")
def audit_log():
    session = get_session()
    emails = {u.id: u.email for u in accounts.list_users(session=session)}
    return render_template("admin/audit.html", emails=emails,
                           entries=audit.recent(session=session, limit=200))


@bp.get("/duplicates")
def duplicates():
    session = get_session()
    pairs = suppliers.duplicate_candidates(session=session, user=current_user,
                                           geo=reference().geo)
    removed = removals.recent_removals(session, user=current_user)
    return render_template("admin/duplicates.html", pairs=pairs, form=MergeForm(),
                           merges=merges.recent_merges(session, user=current_user),
                           distinct=distinct.recent(session, user=current_user,
                                                    kind="supplier"),
                           removals=removed, returned=removals.returned_since(session, removed))


@bp.post("/duplicates/merge")
def merge():
    form = MergeForm()
    session = get_session()
    if not form.validate_on_submit():
        flash("Choose the two suppliers to merge.", "error")
        return redirect(url_for("admin.duplicates")), 303
    try:
        kept = suppliers.merge_suppliers(session, user=current_user, keep_id=form.keep_id.data,
                                         other_id=form.other_id.data, ref=reference())
    except CoopmatchError as error:
        session.rollback()
        flash(error.message, "error")
        return redirect(url_for("admin.duplicates")), 303
    flash(f"Merged into {kept.name}. If that was a mistake, undo it under Recent merges.",
          "success")
    return redirect(url_for("admin.duplicates")), 303


@bp.post("/duplicates/distinct", endpoint="suppliers_distinct",
         defaults={"kind": "supplier", "undo": False})
@bp.post("/duplicates/distinct/undo", endpoint="suppliers_not_distinct",
         defaults={"kind": "supplier", "undo": True})
@bp.post("/organisations/distinct", endpoint="organisations_distinct",
         defaults={"kind": "organisation", "undo": False})
@bp.post("/organisations/distinct/undo", endpoint="organisations_not_distinct",
         defaults={"kind": "organisation", "undo": True})
def judge_distinct(kind: str, undo: bool):
    """Mark a pair the duplicate list offers as two, not one listed twice; or undo that."""
    back = redirect(url_for("admin.duplicates" if kind == "supplier"
                            else "admin.organisation_list")), 303
    form = MergeForm()
    if not form.validate_on_submit():
        flash(f"Choose the two {kind}s.", "error")
        return back
    session = get_session()
    change = distinct.unmark_distinct if undo else distinct.mark_distinct
    try:
        pair = change(session, user=current_user, kind=kind, first_id=form.keep_id.data,
                      second_id=form.other_id.data)
    except CoopmatchError as error:
        session.rollback()
        flash(error.message, "error")
        return back
    if undo:
        flash(f"{pair.first_name} and {pair.second_name} may be offered for merging again.",
              "success")
    else:
        flash(f"Marked {pair.first_name} and {pair.second_name} as two {kind}s: they are no "
              "longer offered for merging. If that was a mistake, undo it under Marked as two.",
              "success")
    return back


@bp.post("/duplicates/merges/<int:merge_id>/undo")
def undo_merge(merge_id: int):
    """Undo a merge (CSRF is checked for every POST, by the app's CSRFProtect)."""
    session = get_session()
    try:
        restored = merges.undo_merge(session, user=current_user, merge_id=merge_id)
    except CoopmatchError as error:
        session.rollback()
        flash(error.message, "error")
        return redirect(url_for("admin.duplicates")), 303
    flash(f"{restored.name} is back in the register with its contracts, ledger names and "
          "accounts.", "success")
    return redirect(url_for("admin.duplicates")), 303


@bp.post("/duplicates/removals/<int:removal_id>/undo")
def undo_removal(removal_id: int):
    """Undo a supplier's removal (CSRF is checked for every POST, by the app's CSRFProtect)."""
    session = get_session()
    try:
        undone = removals.undo_removal(session, user=current_user, removal_id=removal_id,
                                       geo=reference().geo)
    except CoopmatchError as error:
        session.rollback()
        flash(error.message, "error")
        return redirect(url_for("admin.duplicates") + "#recent-removals"), 303
    if undone.came_back:
        flash(f"{undone.supplier.name} had come back to the register since: its old contracts "
              "are back on it.", "success")
    else:
        flash(f"{undone.supplier.name} is back in the register with its contracts.", "success")
    return redirect(url_for("suppliers.detail", supplier_id=undone.supplier.id)), 303


@bp.route("/locate", methods=["GET", "POST"])
def locate():
    """Place suppliers with no postcode where an uploaded file puts the same company."""
    session = get_session()
    form = LocateForm()
    located = errors = None
    if form.validate_on_submit():
        upload, config = form.file.data, current_app.config
        if (request.content_length or 0) > config["IMPORT_BACKGROUND_BYTES"]:
            return _locate_in_background(session, form)
        try:
            located, errors = jobs.read_upload(
                upload.stream, upload.filename, upload_dir=config["UPLOAD_DIR"],
                max_bytes=config["IMPORT_MAX_BYTES"],
                read=lambda path: suppliers.locate_from_file(
                    session, path=path, fmt=form.format.data or None, ref=reference(),
                    user=current_user, source=upload.filename, dry_run=form.dry_run.data,
                    data_dir=config.get("COOPMATCH_DATA_DIR") or None,
                    max_bytes=config["IMPORT_MAX_BYTES"]))
        except CoopmatchError as error:
            session.rollback()
            form.refuse(error)
    dry_run = bool(form.dry_run.data)
    if located is not None:
        form.dry_run.data = False  # the list seen, the next upload of the file places them
    return render_template("admin/locate.html", form=form, located=located, errors=errors,
                           dry_run=dry_run), form.page_status


def _locate_in_background(session, form):
    """A large file: kept as a job that places suppliers in the background, its progress
    and outcome on the job's page (as an import's)."""
    upload, config = form.file.data, current_app.config
    try:
        job = jobs.create_locate_upload(
            session, user=current_user, stream=upload.stream, filename=upload.filename,
            fmt=form.format.data or None, dry_run=bool(form.dry_run.data),
            upload_dir=config["UPLOAD_DIR"], max_bytes=config["IMPORT_MAX_BYTES"],
            ref=reference(), data_dir=config.get("COOPMATCH_DATA_DIR") or None)
        jobs.start_job(session, user=current_user, job_id=job.id, skip_invalid=True,
                       dry_run=job.dry_run, settings=job_settings(), background=True)
    except CoopmatchError as error:
        session.rollback()
        form.refuse(error)
        return render_template("admin/locate.html", form=form, located=None, errors=None,
                               dry_run=bool(form.dry_run.data)), form.page_status
    return redirect(url_for("imports.detail", job_id=job.id)), 303
