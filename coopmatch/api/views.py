from flask import current_app, jsonify, request, url_for
from flask_login import current_user, login_required

from coopmatch.api import bp
from coopmatch.db import get_session
from coopmatch.reference import current as reference
from coopmatch.services import (
    exports,
    jobs,
    matching,
    permissions,
    spend,
    suppliers,
    tenders,
)
from coopmatch.web.access import signed_in_user
from coopmatch.web.matching import (
    bounded_arg,
    flag_arg,
    match_settings,
    number_arg,
    public_bodies_arg,
    search_from_args,
)


def signed_in(view):
    """Only for a signed-in user (401 with JSON otherwise); marked so in the endpoint list."""
    view = login_required(view)
    view.signed_in_only = True
    return view


@bp.get("/")
def index():
    """This list: every endpoint of the API, with what it returns and the arguments it reads."""
    endpoints = []
    for rule in sorted(current_app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.endpoint.startswith(f"{bp.name}."):
            continue
        view = current_app.view_functions[rule.endpoint]
        endpoints.append({
            "path": rule.rule, "methods": sorted(rule.methods - {"HEAD", "OPTIONS"}),
            "description": " ".join((view.__doc__ or "").split()),
            "signed_in_only": getattr(view, "signed_in_only", False),
        })
    return jsonify({"endpoints": endpoints})


@bp.get("/health")
def health():
    """Whether the service is up and has its reference data (postcodes, areas, CPV)."""
    return jsonify({"status": "ok", "reference_data": reference().geo.available})


@bp.get("/cpv")
def cpv_search():
    """Find CPV codes by words or code prefix, for the picker: ?q= &limit= (up to 50)."""
    query = request.args.get("q", "")
    limit = bounded_arg(request.args, "limit", 10, 1, 50)
    vocabulary = reference().cpv
    return jsonify({
        "available": vocabulary.available,
        "results": [
            {"code": c.code, "full": c.full, "description": c.description, "level": c.level}
            for c in vocabulary.search(query, limit=limit)
        ],
    })


@bp.get("/sic")
def sic_search():
    """Find UK SIC 2007 codes by words or code prefix, for the picker: ?q= &limit= (up to 50)."""
    vocabulary = reference().sic
    limit = bounded_arg(request.args, "limit", 10, 1, 50)
    return jsonify({
        "available": vocabulary.available,
        "results": [{"code": code, "description": name}
                    for code, name in vocabulary.search(request.args.get("q", ""), limit)],
    })


@bp.get("/tenders")
def tender_list():
    """Tenders: ?q= (words) &status= (open by default; empty for any) &cpv= (division)
    &area= (GSS code or name, or a postcode district) &sort= (newest; match, the best match
    for the words, the default when q is given; closing; value) &page= &page_size= (up to
    200)."""
    page = tenders.search_tenders(
        session=get_session(), ref=reference(), text=request.args.get("q", ""),
        status=request.args.get("status", "open"), cpv_division=request.args.get("cpv", ""),
        area=request.args.get("area", ""), sort=request.args.get("sort", ""),
        page=bounded_arg(request.args, "page", 1, 1, 1_000_000),
        page_size=bounded_arg(request.args, "page_size", 50, 1, 200),
    )
    return jsonify({
        "total": page.total, "page": page.page, "pages": page.pages,
        "tenders": [
            {"id": t.id, "title": t.title, "buyer": t.buyer.name, "status": t.status,
             "value": t.value, "currency": t.currency, "cpv_codes": t.cpv_list,
             "deadline": t.deadline.isoformat() if t.deadline else None,
             "deadline_passed": t.deadline_passed, "out_of_date": t.out_of_date,
             "ocid": t.ocid,
             "arrangement": t.arrangement or None}
            for t in page.items
        ],
    })


@bp.get("/suppliers")
def supplier_list():
    """The supplier register: ?q= (words) &ownership= &area= (GSS code or name, or a postcode
    district) &cpv= (division) &page= &page_size= (up to 200)."""
    page = suppliers.search_suppliers(
        session=get_session(), ref=reference(), text=request.args.get("q", ""),
        ownership=request.args.get("ownership", ""), area=request.args.get("area", ""),
        cpv_division=request.args.get("cpv", ""),
        page=bounded_arg(request.args, "page", 1, 1, 1_000_000),
        page_size=bounded_arg(request.args, "page_size", 50, 1, 200),
    )
    return jsonify({
        "total": page.total, "page": page.page, "pages": page.pages,
        "suppliers": [
            {"id": s.id, "name": s.name, "ownership": s.ownership, "postcode": s.postcode,
             "local_authority_code": s.local_authority_code, "cpv_codes": s.cpv_list,
             "website": s.website}
            for s in page.items
        ],
    })


@bp.get("/ocds/releases")
def ocds_releases():
    """Tenders posted in coopmatch as an OCDS 1.1 release package (?all=1 adds imported ones)."""
    package = exports.ocds_release_package(
        get_session(), include_imported=flag_arg(request.args, "all"),
        publisher=current_app.config["OCDS_PUBLISHER"], prefix=current_app.config["OCDS_PREFIX"],
        uri=url_for("api.ocds_releases", _external=True),
        describe=reference().cpv.describe)
    return jsonify(package)


@bp.get("/imports/<int:job_id>")
@signed_in
def import_progress(job_id: int):
    """The status and progress of one of your imports, for the progress bar."""
    job, progress = jobs.follow_job(get_session(), user=current_user, job_id=job_id,
                                    redis_url=current_app.config.get("REDIS_URL", ""))
    return jsonify({"id": job.id, "status": job.status, "message": job.message,
                    "progress": progress, "finished": job.finished_at is not None})


@bp.get("/tenders/<int:tender_id>/matches")
def tender_matches(tender_id: int):
    """Suppliers for a tender, best first, each with its score, reasons, components and
    same_firm_as (the id of a supplier ranked above that is probably the same firm, or null):
    ?top= (up to 100) &local_only=1 &area= (GSS code or name) &radius_km= &ownership= (repeat)
    &prefer_social=1 &without_public_bodies=1 (leaves out councils, NHS trusts and the like)."""
    session = get_session()
    tender, found = matching.matches_for_tender(
        session, tender_id=tender_id, search=search_from_args(request.args), ref=reference(),
        settings=match_settings(), viewer=signed_in_user())
    return jsonify({"tender_id": tender.id, "ocid": tender.ocid, "title": tender.title,
                    "matches": matching.match_rows(session, found, reference())})


@bp.get("/suppliers/<int:supplier_id>/opportunities")
def supplier_opportunities(supplier_id: int):
    """Open tenders (not past their deadline) that fit a supplier, best first: ?top= (up to
    100)."""
    supplier, found = matching.opportunities_for_supplier(
        get_session(), supplier_id=supplier_id,
        top_k=bounded_arg(request.args, "top", 10, 1, 100), ref=reference(),
        settings=match_settings(), viewer=signed_in_user())
    return jsonify({"supplier_id": supplier.id, "supplier_name": supplier.name,
                    "opportunities": [dict(o.to_dict(), title=t.title, buyer=t.buyer.name,
                                           deadline=t.deadline.isoformat() if t.deadline
                                           else None) for o, t in found]})


@bp.get("/suppliers/<int:supplier_id>/payees")
@signed_in
def supplier_payees(supplier_id: int):
    """The names in anchors' payment ledgers matched to a supplier, largest first, with what
    was paid under each (pounds, net of credits; redacted lines left out), by whom and when;
    `status` "disputed" for one said not to be it, waiting for review. For the supplier's own
    people, agencies and administrators."""
    found = spend.payees_of_supplier(get_session(), user=current_user,
                                     supplier_id=supplier_id)
    return jsonify({"supplier_id": supplier_id, "payees": [{
        "ledger_name_id": p.name.id, "name": p.name.name, "status": p.name.status,
        "paid_gbp": p.pence / 100, "payments": p.payments, "anchors": p.anchors,
        "first_payment": p.first.isoformat() if p.first else None,
        "last_payment": p.last.isoformat() if p.last else None} for p in found]})


@bp.get("/cpv/suggest")
def cpv_suggest():
    """Suggest CPV codes for free text, such as a tender's description: ?text= &k= (up to
    20), best first. Each has its confidence (a share among near codes) and `likely`: true when
    it leads a CPV group that holds most of the confidence (about 9 in 10 such first
    suggestions are in the buyer's own group)."""
    text = request.args.get("text", "")[:5000]
    return jsonify({"suggestions": matching.suggest_cpv(
        get_session(), text=text, k=bounded_arg(request.args, "k", 5, 1, 20),
        ref=reference(), settings=match_settings())})


@bp.get("/spend")
@signed_in
def spend_figures():
    """Spend figures per anchor (CLES method): ?anchor=ID (repeat) &year=YYYY, and with
    &group_area= (a local authority's code or name) the anchors together against that
    place; &without_public_bodies=1 leaves out payments to public bodies (precepts, levies,
    shared services)."""
    session, ref = get_session(), reference()
    ids = [i for i in (_whole_number("anchor", raw) for raw in request.args.getlist("anchor"))
           if i is not None]
    anchors = ([spend.find_anchor(session, str(i)) for i in ids] if ids
               else spend.anchors_with_spend(session))
    spend.check_may_read(current_user, [a.id for a in anchors])
    year = number_arg(request.args, "year", None)
    public_bodies = public_bodies_arg(request.args)
    area = (spend.place_area(ref, request.args["group_area"])
            if request.args.get("group_area") and anchors else None)
    reports = spend.anchor_reports(session, anchors=anchors, ref=ref, year=year,
                                   public_bodies=public_bodies, group_area=area)
    return jsonify({"anchors": [{"anchor": r.name, "anchor_id": r.anchor_id,
                                 **spend.figures_dict(r.figures)} for r in reports]})


@bp.get("/spend/payees")
@signed_in
def spend_payees():
    """Payees no register supplier is (their spend counts as "location not known"), largest
    spend first: ?anchor=ID (paid by that anchor, with its spend alone) &q= (words in the name)
    &page= &page_size= (up to 200). For agencies and administrators."""
    page = spend.unplaced_payees(get_session(), user=current_user, only=_payee_filter(),
                                 **_page_args())
    return jsonify({"total": page.total, "page": page.page, "pages": page.pages,
                    "payees": [_ledger_name(item) for item in page.items]})


@bp.get("/spend/review")
@signed_in
def spend_review():
    """Ledger names waiting for a reviewer, those said not to be their supplier first, then
    largest spend first, each with the register suppliers it might be: ?anchor=ID &q= &page=
    &page_size= (up to 200), as for /spend/payees. For agencies and administrators."""
    page = spend.review_queue(get_session(), user=current_user, only=_payee_filter(),
                              **_page_args())
    return jsonify({"total": page.total, "page": page.page, "pages": page.pages,
                    "names": [{**_ledger_name(item), "disputed_by": item.disputed_by or None,
                               "candidates": item.candidates} for item in page.items]})


def _payee_filter() -> spend.PayeeFilter:
    raw = request.args.get("anchor", "")
    return spend.PayeeFilter(anchor_id=_whole_number("anchor", raw) if raw.strip() else None,
                             words=request.args.get("q", "").strip())


def _page_args() -> dict[str, int]:
    return {"page": bounded_arg(request.args, "page", 1, 1, 1_000_000),
            "page_size": bounded_arg(request.args, "page_size", 50, 1, 200)}


def _ledger_name(item) -> dict:
    """A ledger name as the spend lists give it: what was paid under it, and for what."""
    return {"ledger_name_id": item.name.id, "name": item.name.name, "status": item.name.status,
            "paid_gbp": item.pence / 100, "payments": item.payments,
            "paid_for": [{"expense_type": kind, "paid_gbp": pence / 100}
                         for kind, pence in item.paid_for]}


@bp.get("/gaps")
@signed_in
def gap_report():
    """The gap report: ?area=GSS code or name, or ?radius_km=N&postcode=PC, &from= &to=
    (YYYY-MM-DD), &division= &min_value= &route= &threshold= ; &sort= (gbp_a_year, anchors,
    notices, next_window, sector or name); &without_public_bodies=1 counts only firms as local
    supply (settings.public_bodies is then false)."""
    from coopmatch.web.gaps.asking import asked_report, chosen_gaps

    if not permissions.can_read_reports(current_user):
        return jsonify({"error": "Forbidden",
                        "message": "Gap reports are for development agencies."}), 403
    report, asked = asked_report(request.args)  # a bad argument is refused naming it
    body = report.to_dict()
    body["gaps"] = [g.to_dict() for g in chosen_gaps(report, asked)]
    return jsonify(body)


def _whole_number(name: str, raw: str) -> int:
    """A repeated whole-number argument, refused naming it when it is not one."""
    return number_arg({name: raw}, name, None)
