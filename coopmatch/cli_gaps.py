"""`coopmatch gaps`: the gap report on the command line, over the database DATABASE_URL names."""

import json
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from coopmatch.db import get_session
from coopmatch.errors import CoopmatchError
from coopmatch.gaps import ROUTES
from coopmatch.reference import current as reference
from coopmatch.services import gaps
from coopmatch.spreadsheets import SafeDictWriter
from coopmatch.web.matching import match_settings


@click.command("gaps")
@click.option("--area", help="Local area: a local authority, county, combined authority or "
              "region, by GSS code or name.")
@click.option("--radius-km", type=float, help="...or local means within this many km.")
@click.option("--postcode", help="The centre of --radius-km (else every notice's own place).")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="From this date.")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Up to this date.")
@click.option("--threshold", type=float, help="Best local match below which demand is a gap.")
@click.option("--division", help="Only this CPV division (2 digits).")
@click.option("--min-value", type=float, help="Only gaps of at least this £ a year.")
@click.option("--route", type=click.Choice(list(ROUTES)), help="Only gaps with this route.")
@click.option("--without-public-bodies", "public_bodies", flag_value=False, default=True,
              help="Count only firms as local supply, not councils, NHS trusts and the like.")
@click.option("--format", "output", default="table", show_default=True,
              type=click.Choice(["table", "csv", "json"]))
@with_appcontext
def gaps_command(area, radius_km, postcode, start, end, threshold, division, min_value, route,
                 public_bodies, output):
    """Recurring anchor demand with no capable local supplier, sized in £ a year."""
    try:
        query = gaps.GapQuery(area_code=area, radius_km=radius_km, postcode=postcode,
                              start=start.date() if start else None,
                              end=end.date() if end else None)
        config = gaps.with_choices(gaps.gap_settings(current_app.config), threshold=threshold,
                                   public_bodies=public_bodies)
        found = gaps.report(get_session(), query=query, ref=reference(),
                            settings=match_settings(), gap_config=config)
    except CoopmatchError as error:
        raise click.ClickException(error.message) from None
    chosen = gaps.filter_gaps(found.gaps, division=division, min_gbp_a_year=min_value,
                              route=route)
    if output == "json":
        body = found.to_dict()
        body["gaps"] = [g.to_dict() for g in chosen]
        click.echo(json.dumps(body, indent=2, default=str))
        return
    rows = [g.to_row() for g in chosen]
    if output == "csv":
        writer = SafeDictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["gap_id"])
        writer.writeheader()
        writer.writerows(rows)
        return
    totals = found.totals
    click.echo(f"Gap report for {found.area.name}: demand £{totals['gbp_a_year']:,.0f} a year "
               f"over {totals['notices']} notices; £{totals['covered_gbp_a_year']:,.0f} met "
               f"locally, £{totals['near_miss_gbp_a_year']:,.0f} near misses, "
               f"£{totals['gap_gbp_a_year']:,.0f} in {len(chosen)} gaps.")
    for gap in chosen:
        d = gap.demand
        click.echo(f"\n{gap.id}  {gap.name}: £{gap.gbp_a_year:,.0f} a year, {d.notices} "
                   f"notice(s), {d.anchor_count} anchor(s)"
                   + (", recurring" if d.recurring else "")
                   + (f", next window {d.next_window}" if d.next_window else ""))
        for reason in gap.reasons:
            click.echo(f"  why: {reason.text}")
        for r in gap.routes:
            click.echo(f"  route: {r.title}: {r.text}")
        click.echo("  notices: " + ", ".join(gap.notice_ids[:8])
                   + (" ..." if len(gap.notice_ids) > 8 else ""))
