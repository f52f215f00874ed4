from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlmodel import select

from coopmatch.db import get_engine, get_session
from coopmatch.errors import CoopmatchError
from coopmatch.models import OWNERSHIP_MODELS, Award, Tender
from coopmatch.reference import current as reference
from coopmatch.services import matching, permissions, spend, suppliers
from coopmatch.web.access import roles_required, signed_in_user
from coopmatch.web.errors import refused
from coopmatch.web.forms import filtered_page, page_size
from coopmatch.web.matching import match_settings
from coopmatch.web.suppliers import bp
from coopmatch.web.suppliers.forms import FilterForm, RemoveForm, SupplierForm


@bp.get("/")
def index():
    ref = reference()
    form = FilterForm(request.args)
    form.ownership.choices = [("", "Any")] + list(OWNERSHIP_MODELS.items())
    form.cpv.choices = [("", "Any")] + [(d.division, f"{d.division} {d.description}")
                                         for d in ref.cpv.divisions()]
    results, area_error = filtered_page(lambda: suppliers.search_suppliers(
        session=get_session(), ref=ref, text=form.q.data or "",
        ownership=form.ownership.data or "", area=form.area.data or "",
        cpv_division=form.cpv.data or "", page=request.args.get("page", 1, type=int),
        page_size=page_size(),
    ))
    won = suppliers.contracts_won(
        get_session(), [s.id for s in results.items if not s.description]) if results else {}
    return render_template("suppliers/index.html", form=form, results=results, won=won,
                           area_error=area_error), 400 if area_error else 200


@bp.get("/export.csv")
def export():
    """The register as the page filters it, in the supplier register CSV (to edit in a
    spreadsheet and import again)."""
    filters = {"text": request.args.get("q", ""), "ownership": request.args.get("ownership", ""),
               "area": request.args.get("area", ""), "cpv_division": request.args.get("cpv", "")}
    try:
        pieces = suppliers.register_csv(engine=get_engine(), ref=reference(),
                                        contacts=signed_in_user() is not None, **filters)
    except CoopmatchError as error:
        if error.status_code != 400:
            raise
        # A refused filter (an unknown area): back to the list, which says why at the field.
        flash(f"No register downloaded: {error.message}", "error")
        return redirect(url_for("suppliers.index", **request.args))
    # Sent as it is read: a register of 100,000 suppliers is not built in memory first.
    return Response(pieces, mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="supplier-register.csv"'})


@bp.get("/<int:supplier_id>")
def detail(supplier_id: int):
    session = get_session()
    supplier = suppliers.get_supplier(session=session, supplier_id=supplier_id)
    awards = session.exec(
        select(Award, Tender).join(Tender).where(Award.supplier_id == supplier_id)
        .order_by(Award.award_date.desc().nulls_last()).limit(20)
    ).all()
    _, opportunities = matching.opportunities_for_supplier(
        session, supplier_id=supplier.id, top_k=10, ref=reference(), settings=match_settings(),
        viewer=signed_in_user())
    won_codes = suppliers.won_cpv_codes(session=session, supplier=supplier)
    viewer = signed_in_user()
    payees = (spend.payees_of_supplier(session, user=viewer, supplier_id=supplier.id)
              if spend.may_see_payees(viewer, supplier.id) else [])
    return render_template("suppliers/detail.html", supplier=supplier, awards=awards,
                           opportunities=opportunities, won_codes=won_codes,
                           can_edit=permissions.can_edit_supplier(viewer, supplier),
                           remove_form=_remove_form(supplier), payees=payees)


@bp.post("/<int:supplier_id>/payees/<int:ledger_name_id>/not-ours")
@login_required
def not_ours(supplier_id: int, ledger_name_id: int):
    """The supplier (or an agency or administrator) says a name in the anchors' ledgers
    matched to it is not it."""
    def told(name: str, whose: str) -> str:
        then = ("A development agency will review it." if whose == "yours" else
                "It waits in the review queue for the supplier it is, or none.")
        return (f"'{name}' no longer counts as {whose}: its payments are left out of the "
                f"track record shown beside matches and of the local-spend figures. {then}")

    return _payee_changed(spend.dispute_payee, supplier_id, ledger_name_id, told)


@bp.post("/<int:supplier_id>/payees/<int:ledger_name_id>/ours-after-all")
@login_required
def ours_after_all(supplier_id: int, ledger_name_id: int):
    """Take back "Not us", before a reviewer has decided."""
    return _payee_changed(spend.undo_dispute, supplier_id, ledger_name_id,
                          lambda name, whose: f"'{name}' counts as {whose} again.")


def _payee_changed(change, supplier_id: int, ledger_name_id: int, told):
    """Make a change to a ledger name matched to a supplier, and say so (told(name, whose))
    or why not, back on the supplier's page."""
    session = get_session()
    try:
        row = change(session, user=current_user, supplier_id=supplier_id,
                     ledger_name_id=ledger_name_id)
    except CoopmatchError as error:
        refused(error)
        flash(error.message, "error")
    else:
        whose = "yours" if current_user.supplier_id == supplier_id else "this supplier's"
        flash(told(row.name, whose), "success")
    return redirect(url_for("suppliers.detail", supplier_id=supplier_id) + "#payees"), 303


def _remove_form(supplier) -> RemoveForm | None:
    """The form to remove a supplier, for an administrator, where it has no account."""
    if not permissions.is_admin(signed_in_user()) or supplier.users:
        return None
    return RemoveForm(formdata=None)


@bp.post("/<int:supplier_id>/remove")
@roles_required("admin")
def remove(supplier_id: int):
    session = get_session()
    form = RemoveForm()
    if not form.validate_on_submit():
        flash(" ".join(form.confirm.errors) or "Confirm that this is no firm to keep.", "error")
        return redirect(url_for("suppliers.detail", supplier_id=supplier_id) + "#remove"), 303
    try:
        name = suppliers.remove_supplier(session, user=current_user, supplier_id=supplier_id)
    except CoopmatchError as error:
        session.rollback()
        if error.status_code == 404:
            abort(404)
        flash(error.message, "error")
        return redirect(url_for("suppliers.detail", supplier_id=supplier_id)), 303
    # Markup, so that the page to undo it from is a link (the name is escaped by format).
    flash(Markup('{} is removed from the register, with the contracts it was named as winning. '
                 'If that was a mistake, undo it under <a href="{}">Recent removals</a>.')
          .format(name, url_for("admin.duplicates") + "#recent-removals"), "success")
    return redirect(url_for("suppliers.index")), 303


def _save(form: SupplierForm, supplier_id: int | None):
    if not form.validate_on_submit():
        return None
    session = get_session()
    try:
        if supplier_id is None:
            supplier = suppliers.register_supplier(session, user=current_user,
                                                   data=form.to_data(), ref=reference())
        else:
            supplier = suppliers.update_supplier(session, user=current_user,
                                                 supplier_id=supplier_id, data=form.to_data(),
                                                 ref=reference())
    except CoopmatchError as error:
        session.rollback()
        if error.status_code == 403:
            abort(403)
        if error.status_code == 409:
            flash(error.message, "error")
            return redirect(url_for("main.dashboard"))
        field = getattr(form, error.field or "name", form.name)
        field.errors = [*field.errors, error.message]
        return None
    flash("Your profile is saved." if supplier_id else "Your business is in the register.",
          "success")
    return redirect(url_for("suppliers.detail", supplier_id=supplier.id))


@bp.route("/register", methods=["GET", "POST"])
@roles_required("supplier")
def register():
    if current_user.role == "supplier" and current_user.supplier_id:
        return redirect(url_for("suppliers.edit", supplier_id=current_user.supplier_id))
    form = SupplierForm()
    return _save(form, None) or (
        render_template("suppliers/form.html", form=form, supplier=None),
        400 if form.is_submitted() else 200,
    )


@bp.route("/<int:supplier_id>/edit", methods=["GET", "POST"])
@roles_required("supplier")
def edit(supplier_id: int):
    supplier = suppliers.get_supplier(session=get_session(), supplier_id=supplier_id)
    if not permissions.can_edit_supplier(current_user, supplier):
        abort(403)
    form = SupplierForm(obj=supplier if request.method == "GET" else None)
    if request.method == "GET":
        form.accreditations.data = supplier.accreditation_list
        form.turnover_band.data = supplier.turnover_band or ""
    return _save(form, supplier_id) or (
        render_template("suppliers/form.html", form=form, supplier=supplier),
        400 if form.is_submitted() else 200,
    )
