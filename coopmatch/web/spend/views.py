import io

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from coopmatch.db import get_session
from coopmatch.errors import CoopmatchError
from coopmatch.reference import current as reference
from coopmatch.services import jobs, spend
from coopmatch.spend.tiers import TIER_LABELS, TIERS
from coopmatch.spreadsheets import SafeDictWriter
from coopmatch.web.access import roles_required
from coopmatch.web.charts import bar_chart, share_chart
from coopmatch.web.errors import refused
from coopmatch.web.forms import filtered_page, page_size
from coopmatch.web.matching import match_settings, public_bodies_arg
from coopmatch.web.spend import bp
from coopmatch.web.spend.forms import (
    AddPayeeForm,
    LedgerUploadForm,
    PayeeFilterForm,
    PlaceSupplierForm,
)


def _anchor(anchor_id: int):
    try:
        anchor = spend.find_anchor(get_session(), str(anchor_id))
        spend.check_may_read(current_user, [anchor.id])
    except CoopmatchError as error:
        abort(error.status_code)
    return anchor


@bp.get("/")
@roles_required("agency", "procurement")
def index():
    session, ref = get_session(), reference()
    anchors = spend.anchors_with_spend(session)
    if current_user.role == "procurement":
        anchors = [a for a in anchors if a.id == current_user.organisation_id]
    public_bodies = public_bodies_arg(request.args)
    group_area, area, problem = request.args.get("group_area", "").strip(), None, None
    if group_area and anchors:
        try:
            area = spend.place_area(ref, group_area)
        except CoopmatchError as error:
            problem = error.message
    reports = spend.anchor_reports(
        session, anchors=anchors, ref=ref, top=5, public_bodies=public_bodies,
        group_area=area,
        group_name=f"All {len(anchors)} together, in {area.name}" if area else None)
    waiting = (spend.waiting_for_review(session) if current_user.role in ("agency", "admin")
               else None)
    return render_template("spend/index.html", reports=reports, group_area=group_area,
                           problem=problem, public_bodies=public_bodies, waiting=waiting
                           ), 400 if problem else 200


@bp.route("/import", methods=["GET", "POST"])
@roles_required("agency", "procurement")
def import_ledger():
    """Upload an anchor's payment ledger; the import page previews it before importing."""
    session = get_session()
    form = LedgerUploadForm()
    form.anchor.choices = [
        (a.id, a.name) for a in spend.anchors_user_may_import(session, current_user)]
    if not form.anchor.choices:
        flash("Your account is not linked to an organisation: ask an administrator.", "error")
        return redirect(url_for("spend.index"))
    if form.validate_on_submit():
        files = [(upload.stream, upload.filename) for upload in form.file.data if upload]
        try:
            job = jobs.create_ledger_upload(
                session, user=current_user, files=files,
                anchor_id=form.anchor.data, upload_dir=current_app.config["UPLOAD_DIR"],
                max_bytes=current_app.config["IMPORT_MAX_BYTES"], columns=form.columns())
        except CoopmatchError as error:
            session.rollback()
            if error.status_code == 403:
                abort(403)
            form.refuse(error)
        else:
            return redirect(url_for("imports.detail", job_id=job.id))
    return render_template("spend/import.html", form=form), form.page_status


@bp.get("/anchors/<int:anchor_id>")
@roles_required("agency", "procurement")
def anchor(anchor_id: int):
    session, ref = get_session(), reference()
    organisation = _anchor(anchor_id)
    year = request.args.get("year", type=int)
    public_bodies = public_bodies_arg(request.args)
    report = spend.anchor_report(session, anchor=organisation, ref=ref, year=year,
                                 public_bodies=public_bodies)
    if report is None:
        return render_template("spend/anchor.html", anchor=organisation, report=None,
                               public_bodies=public_bodies)
    period = report.figures.years[-1] if report.figures.years else report.figures.overall
    area = spend.anchor_area(ref, organisation)
    leaking = [s.supplier_id for s in period.top_non_local[:10]]
    alternatives = spend.local_alternatives(
        session, supplier_ids=leaking, area_lads=set(area.wider_lad_codes) or {area.lad_code},
        ref=ref, settings=match_settings())
    trend = [(t.label, t.local_share, t.wider_share) for t in report.figures.trend]
    sectors = sorted(period.by_expense_type.items(), key=lambda kv: -kv[1].leakage)[:12]
    return render_template(
        "spend/anchor.html", anchor=organisation, report=report, period=period,
        public_bodies=public_bodies, year=year,
        alternatives=alternatives, tiers=TIERS, tier_labels=TIER_LABELS, sectors=sectors,
        trend_chart=share_chart(trend, title="Local share of spend by financial year"),
        sector_chart=bar_chart([(name, split.leakage / 100) for name, split in sectors],
                               title="Spend not with local suppliers, by expense type"))


@bp.get("/anchors/<int:anchor_id>/export.<fmt>")
@roles_required("agency", "procurement")
def export(anchor_id: int, fmt: str):
    session, ref = get_session(), reference()
    organisation = _anchor(anchor_id)
    report = spend.anchor_report(
        session, anchor=organisation, ref=ref,
        public_bodies=public_bodies_arg(request.args))
    if fmt == "json":
        return jsonify(spend.figures_dict(report.figures) if report else {})
    if fmt != "csv":
        abort(404)
    rows = spend.report_rows([report] if report else [])
    out = io.StringIO()
    writer = SafeDictWriter(out, fieldnames=list(rows[0]) if rows else ["anchor"])
    writer.writeheader()
    writer.writerows(rows)
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="spend-{organisation.id}.csv"'})


@bp.route("/review", methods=["GET", "POST"])
@roles_required("agency")
def review():
    session = get_session()
    here = url_for("spend.review", **_where_shown("page"))
    if request.method == "POST":
        choice = request.form.get("supplier_id")
        if choice is None or not (choice == "" or choice.isdigit()):
            # Nothing is chosen for the reviewer: a decision stands for every later import.
            flash("Choose the supplier the name is, or “None of these”, then save.", "error")
            return redirect(here)
        try:
            row = spend.decide(session, user=current_user,
                               ledger_name_id=request.form.get("ledger_name_id", type=int),
                               supplier_id=int(choice) if choice.isdigit() else None)
        except CoopmatchError as error:
            refused(error)
            flash(error.message, "error")
        else:
            verb = "confirmed" if row.supplier_id else "rejected"
            flash(f"'{row.name}' {verb}. The figures now use your decision.", "success")
        return redirect(here)
    shown = _filter_form(session)
    items, filter_error = filtered_page(lambda: spend.review_queue(
        session, user=current_user, page=request.args.get("page", 1, type=int),
        page_size=page_size(), only=_payee_filter(request.args)), field="anchor")
    return render_template("spend/review.html", items=items, shown=shown,
                           filter_error=filter_error), 400 if filter_error else 200


@bp.get("/payees.csv")
@roles_required("agency")
def payees_csv():
    """Every payee not yet matched (?anchor=: of one anchor; ?q=: so named), as a supplier
    register CSV to fill in and import."""
    out = io.StringIO()
    # An anchor there is none of is refused with a page that says so (404).
    spend.write_payees_csv(get_session(), out, user=current_user,
                           only=_payee_filter(request.args))
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="payees-to-place.csv"'})


@bp.route("/payees", methods=["GET", "POST"])
@roles_required("agency")
def payees():
    """Payees no register supplier is, largest spend first, each to add where it is based."""
    session = get_session()
    form, failed = AddPayeeForm(), None
    if request.method == "POST":
        failed = request.form.get("ledger_name_id", type=int)
        if form.validate_on_submit():
            try:
                supplier = spend.add_payee(
                    session, user=current_user, ledger_name_id=int(form.ledger_name_id.data),
                    name=form.name.data, postcode=form.postcode.data,
                    ownership=form.ownership.data, description=form.description.data or "",
                    ref=reference())
            except CoopmatchError as error:
                refused(error)
                field = getattr(form, error.field or "", None) or form.name
                field.errors = [*field.errors, error.message]
            else:
                flash(f"{supplier.name} ({supplier.postcode}) added to the register: its "
                      "spend is placed in the figures now.", "success")
                return redirect(url_for("spend.payees", **_where_shown("page", "placing")))
    return _payees_page(form=form, failed=failed)


def _where_shown(*pages: str) -> dict[str, int | str | None]:
    """Where on a list page a change was made, from its query: the names asked for (`anchor`,
    `q`) and the page of each of its lists (the payees page has two: `page` of the payees,
    `placing` of the suppliers to place). A change posts from there, and comes back to it."""
    return {**{name: request.args.get(name, type=int) for name in pages},
            **{name: request.args.get(name) or None for name in ("anchor", "q")}}


def _payee_filter(args) -> spend.PayeeFilter:
    """The payees asked for: paid by ?anchor= (an organisation id), named like ?q=."""
    return spend.PayeeFilter(anchor_id=args.get("anchor", type=int),
                             words=args.get("q", "").strip())


def _filter_form(session) -> PayeeFilterForm:
    """The names asked for, as a form to change: which anchor paid them, and words."""
    shown = PayeeFilterForm(request.args)
    shown.anchor.choices = [("", "Any anchor")] + [
        (str(a.id), a.name) for a in spend.anchors_with_spend(session)]
    return shown


def _payees_page(*, form=None, failed=None, place_form=None, place_failed=None):
    session, pages = get_session(), _where_shown("page", "placing")
    shown = _filter_form(session)
    only = _payee_filter(request.args)
    items, filter_error = filtered_page(lambda: spend.unplaced_payees(
        session, user=current_user, page=pages["page"] or 1, page_size=page_size(),
        only=only), field="anchor")
    unplaced, _ = filtered_page(lambda: spend.matched_but_unplaced(
        session, user=current_user, page=pages["placing"] or 1, page_size=page_size(),
        only=only), field="anchor")
    return render_template(
        "spend/payees.html", items=items, shown=shown, filter_error=filter_error,
        form=form or AddPayeeForm(), failed=failed, unplaced=unplaced,
        place_form=place_form or PlaceSupplierForm(), place_failed=place_failed,
    ), 400 if failed is not None or place_failed is not None or filter_error else 200


@bp.post("/place")
@roles_required("agency")
def place():
    """A matched supplier whose location is not known, placed where it is based."""
    session = get_session()
    form = PlaceSupplierForm()
    failed = request.form.get("supplier_id", type=int)
    if form.validate_on_submit():
        try:
            supplier = spend.place_supplier(session, user=current_user,
                                            supplier_id=int(form.supplier_id.data),
                                            postcode=form.postcode.data, ref=reference())
        except CoopmatchError as error:
            refused(error)
            form.postcode.errors = [*form.postcode.errors, error.message]
        else:
            flash(f"{supplier.name} placed at {supplier.postcode}: its spend is placed in the "
                  "figures now.", "success")
            return redirect(url_for("spend.payees", **_where_shown("page", "placing"))
                            + "#unplaced")
    return _payees_page(place_form=form, place_failed=failed)
