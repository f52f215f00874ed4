import io

from flask import Response, abort, jsonify, render_template, request

from coopmatch.db import get_session
from coopmatch.errors import CoopmatchError
from coopmatch.gaps import ROUTES
from coopmatch.services import gaps
from coopmatch.spreadsheets import SafeDictWriter
from coopmatch.web.access import roles_required
from coopmatch.web.charts import bar_chart
from coopmatch.web.gaps import bp
from coopmatch.web.gaps.asking import SORTS, GapRequest, asked_report, chosen_gaps


def current_report():
    """Return the report the request asks for, and the request; a bad field is a 400."""
    try:
        return asked_report(request.args)
    except CoopmatchError as error:
        abort(400, description=error.message)


def _leakage(report, asked: GapRequest):
    return gaps.spend_leakage(get_session(), area=report.area, start=asked.query.start,
                              end=asked.query.end, digits=report.settings.sector_digits)


@bp.get("/")
@roles_required("agency")
def index():
    try:
        report, asked = asked_report(request.args)
    except CoopmatchError as error:  # shown at its field, the filters kept to correct it
        return render_template("gaps/refused.html", problem=error, routes=ROUTES, sorts=SORTS,
                               args=request.args), error.status_code
    chosen = chosen_gaps(report, asked)
    leakage = _leakage(report, asked)
    sectors = sorted(report.sectors, key=lambda s: -s.gbp_a_year)[:12]
    return render_template(
        "gaps/index.html", report=report, gaps=chosen, sectors=sectors, routes=ROUTES,
        leakage=sorted(leakage.values(), key=lambda e: -e.gbp_a_year)[:15],
        sorts=SORTS, args=request.args,
        sector_chart=bar_chart([(s.name, s.gbp_a_year) for s in sectors],
                               second=[s.covered_gbp_a_year for s in sectors],
                               legend=("Demand a year", "Met by local suppliers"),
                               title="Demand against local coverage by sector"),
        top_chart=bar_chart([(g.name, g.gbp_a_year) for g in chosen[:10]],
                            title="The largest gaps, £ a year"))


@bp.get("/cards/<gap_id>")
@roles_required("agency")
def card(gap_id: str):
    report, asked = current_report()
    gap = report.gap(gap_id)
    if gap is None:
        abort(404, description="That gap is not in this report: the area, period or data "
                               "may have changed.")
    return render_template("gaps/card.html", report=report, gap=gap, args=request.args,
                           leakage=_leakage(report, asked).get(gap.sector))


@bp.get("/export.<fmt>")
@roles_required("agency")
def export(fmt: str):
    report, asked = current_report()
    chosen = chosen_gaps(report, asked)
    if fmt == "json":
        body = report.to_dict()
        body["gaps"] = [g.to_dict() for g in chosen]
        return jsonify(body)
    if fmt != "csv":
        abort(404)
    rows = [g.to_row() for g in chosen]
    out = io.StringIO()
    writer = SafeDictWriter(out, fieldnames=list(rows[0]) if rows else ["gap_id"])
    writer.writeheader()
    writer.writerows(rows)
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="gaps.csv"'})
