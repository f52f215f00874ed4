import io
from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from coopmatch.db import get_session
from coopmatch.errors import CoopmatchError
from coopmatch.models import TENDER_STATUSES
from coopmatch.reference import current as reference
from coopmatch.services import matching, organisations, permissions, tenders
from coopmatch.web.access import roles_required, signed_in_user
from coopmatch.web.errors import refused
from coopmatch.web.forms import filtered_page, page_size
from coopmatch.web.matching import match_settings, search_from_args
from coopmatch.web.tenders import bp
from coopmatch.web.tenders.forms import FilterForm, TenderForm


@bp.get("/")
def index():
    session, ref = get_session(), reference()
    form = FilterForm(request.args)
    form.status.choices = [("", "Any status")] + list(TENDER_STATUSES.items())
    if "status" not in request.args:
        form.status.data = "open"
    form.cpv.choices = [("", "Any")] + [(d.division, f"{d.division} {d.description}")
                                         for d in ref.cpv.divisions()]
    buyers = tenders.buyers_with_tenders(session=session)
    form.buyer.choices = [("", "Any buyer")] + [(str(b.id), b.name) for b in buyers]
    form.sort.choices = list(tenders.TENDER_SORTS.items())
    if not form.sort.data:
        form.sort.data = tenders.default_sort(form.q.data or "")
    filters = dict(text=form.q.data or "", cpv_division=form.cpv.data or "",
                   buyer_id=request.args.get("buyer", type=int), area=form.area.data or "")
    results, area_error = filtered_page(lambda: tenders.search_tenders(
        session=session, ref=ref, status=form.status.data or "",
        sort=form.sort.data,
        page=request.args.get("page", 1, type=int), page_size=page_size(), **filters,
    ))
    # Narrowed to one status (open, unless chosen): say what the others hold, so a search
    # for past work does not look empty.
    elsewhere = {}
    if form.status.data and not area_error:
        elsewhere = tenders.in_other_statuses(session=session, ref=ref,
                                              status=form.status.data, **filters)
    all_statuses = url_for("tenders.index", **{**request.args.to_dict(), "status": "",
                                               "page": None})
    return render_template("tenders/index.html", form=form, results=results,
                           area_error=area_error, elsewhere=elsewhere,
                           all_statuses=all_statuses), 400 if area_error else 200


@bp.get("/<int:tender_id>")
def detail(tender_id: int):
    session = get_session()
    tender = tenders.get_tender(session=session, tender_id=tender_id)
    search, found, problem = matching.Search(), [], None
    try:
        search = search_from_args(request.args)
        _, found = matching.matches_for_tender(session, tender_id=tender.id, search=search,
                                               ref=reference(), settings=match_settings(),
                                               viewer=signed_in_user())
    except CoopmatchError as error:
        if error.status_code != 400:
            raise
        problem = error  # shown beside the filters: the tender itself is still worth seeing
    found = matching.in_page_order(found)
    user, own = signed_in_user(), None
    if user is not None and user.role == "supplier" and user.supplier_id:
        own = matching.fit_for_supplier(session, tender_id=tender.id,
                                        supplier_id=user.supplier_id, ref=reference(),
                                        settings=match_settings(), viewer=user)
    return render_template(
        "tenders/detail.html", tender=tender, search=search, matches=found, problem=problem,
        own=own, own_rank=next((i for i, m in enumerate(found, start=1)
                                if own and m.supplier_id == own.supplier_id), None),
        names=matching.supplier_names(session, (m.supplier_id for m in found)),
        same_firm=matching.same_firms(session, found, reference()),
        lots={lot.id: lot for lot in tender.lots}, how_let=matching.how_let(tender),
        can_edit=permissions.can_edit_tender(signed_in_user(), tender)), 400 if problem else 200


@bp.get("/<int:tender_id>/shortlist.csv")
@roles_required("procurement", "agency")
def shortlist(tender_id: int):
    """The suppliers the tender page lists, with the same filters, as a CSV to invite from."""
    session = get_session()
    try:
        search = search_from_args(request.args)
        tender, found = matching.matches_for_tender(session, tender_id=tender_id, search=search,
                                                    ref=reference(), settings=match_settings(),
                                                    viewer=current_user)
    except CoopmatchError as error:
        if error.status_code != 400:
            raise
        # A refused filter (an unknown area): back to the page, which says why at the field.
        flash(f"No shortlist downloaded: {error.message}", "error")
        return redirect(url_for("tenders.detail", tender_id=tender_id, **request.args))
    out = io.StringIO()
    matching.write_shortlist_csv(session, out, tender=tender, matches=found, ref=reference())
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="tender-{tender.id}-suppliers.csv"'})


def _buyer_choices(form: TenderForm) -> None:
    if current_user.role == "admin":
        form.buyer_id.choices = [(0, "Choose the buyer")] + [
            (o.id, o.name) for o in organisations.list_organisations(session=get_session())
            if o.kind != "agency"
        ]
    else:
        del form.buyer_id


def _save(form: TenderForm, tender_id: int | None):
    """Validate and save; return a redirect, or None to re-render with errors."""
    if not form.validate_on_submit():
        return None
    session = get_session()
    try:
        if tender_id is None:
            tender = tenders.create_tender(session, user=current_user, data=form.to_data(),
                                           ref=reference())
        else:
            tender = tenders.update_tender(session, user=current_user, tender_id=tender_id,
                                           data=form.to_data(), ref=reference())
    except CoopmatchError as error:
        session.rollback()
        if error.status_code == 403:
            abort(403)
        field = getattr(form, error.field or "title", form.title)
        field.errors = [*field.errors, error.message]
        return None
    flash("Tender saved." if tender_id else "Tender posted.", "success")
    return redirect(url_for("tenders.detail", tender_id=tender.id))


@bp.route("/new", methods=["GET", "POST"])
@roles_required("procurement")
def create():
    if not permissions.can_post_tenders(current_user):
        abort(403)
    form = TenderForm()
    _buyer_choices(form)
    if request.method == "GET":
        form.published_date.data = date.today()
    if request.method == "POST" and "add_lot" in request.form:
        form.lots.append_entry()
        return render_template("tenders/form.html", form=form, tender=None)
    return _save(form, None) or (
        render_template("tenders/form.html", form=form, tender=None),
        400 if form.is_submitted() else 200,
    )


@bp.route("/<int:tender_id>/edit", methods=["GET", "POST"])
@roles_required("procurement")
def edit(tender_id: int):
    tender = tenders.get_tender(session=get_session(), tender_id=tender_id)
    if not permissions.can_edit_tender(current_user, tender):
        abort(403)
    form = TenderForm(obj=tender if request.method == "GET" else None)
    _buyer_choices(form)
    if request.method == "GET":
        form.cpv_codes.data = tender.cpv_codes
        while len(form.lots):
            form.lots.pop_entry()
        for lot in tender.lots or [None]:
            form.lots.append_entry(lot)
        if "buyer_id" in form:
            form.buyer_id.data = tender.buyer_id
    if request.method == "POST" and "add_lot" in request.form:
        form.lots.append_entry()
        return render_template("tenders/form.html", form=form, tender=tender)
    return _save(form, tender_id) or (
        render_template("tenders/form.html", form=form, tender=tender),
        400 if form.is_submitted() else 200,
    )


@bp.post("/<int:tender_id>/close")
@roles_required("procurement")
def close(tender_id: int):
    try:
        tenders.close_tender(get_session(), user=current_user, tender_id=tender_id)
    except CoopmatchError as error:
        refused(error)
        flash(error.message, "error")
    else:
        flash("The tender is closed to new bids.", "success")
    return redirect(url_for("tenders.detail", tender_id=tender_id))
