"""`coopmatch match`: rank suppliers for one tender or all, on the database DATABASE_URL names."""

import json
import sys

import click
from flask.cli import with_appcontext

from coopmatch.db import get_session
from coopmatch.errors import CoopmatchError
from coopmatch.matching.types import fit_label
from coopmatch.models import MAX_ID, OWNERSHIP_MODELS
from coopmatch.reference import current as reference
from coopmatch.services import matching
from coopmatch.spreadsheets import SafeWriter
from coopmatch.web.matching import match_settings


@click.command("match")
@click.option("--tender", "tender_id", type=click.IntRange(1, MAX_ID), help="The tender to match.")
@click.option("--all", "all_tenders", is_flag=True, help="Match every tender.")
@click.option("--top", "top_k", default=10, show_default=True, type=click.IntRange(1, 1000))
@click.option("--local-only", is_flag=True,
              help="Only suppliers in the tender's county or combined authority (or district).")
@click.option("--area", help="Only suppliers in this area: a local authority, county, "
              "combined authority or region, by GSS code or name.")
@click.option("--radius-km", type=float, help="Only suppliers within this distance.")
@click.option("--ownership", multiple=True, type=click.Choice(list(OWNERSHIP_MODELS)),
              help="Only these ownership models (repeat for several).")
@click.option("--prefer-social", is_flag=True,
              help="Favour co-ops, employee-owned firms and social enterprises.")
@click.option("--without-public-bodies", is_flag=True,
              help="Leave out public bodies (councils, NHS trusts and the like).")
@click.option("--format", "output", default="table", show_default=True,
              type=click.Choice(["table", "csv", "jsonl"]))
@with_appcontext
def match(tender_id, all_tenders, top_k, local_only, area, radius_km, ownership, prefer_social,
          without_public_bodies, output):
    """Rank suppliers for a tender (--tender ID) or for every tender (--all)."""
    if bool(tender_id) == bool(all_tenders):
        raise click.UsageError("Give either --tender ID or --all.")
    session, ref, settings = get_session(), reference(), match_settings()
    search = matching.Search(top_k=top_k, local_only=local_only,
                             area=(area or "").strip() or None,
                             radius_km=radius_km, ownership=set(ownership) or None,
                             prefer_social=prefer_social,
                             without_public_bodies=without_public_bodies)
    try:
        matching.check_search(ref, search)  # before the index is prepared: a typo is quick
        if tender_id:
            results = [matching.matches_for_tender(session, tender_id=tender_id, search=search,
                                                   ref=ref, settings=settings, operator=True)]
        else:
            click.echo("Preparing the match index ...", err=True)
            results = matching.matches_for_all(session, search=search, ref=ref,
                                               settings=settings, operator=True)
    except CoopmatchError as error:
        raise click.ClickException(error.message) from None
    writer = SafeWriter(sys.stdout) if output == "csv" else None
    if writer:
        writer.writerow(["tender_id", "ocid", "title", "rank", "lot_id", "supplier_id",
                         "supplier_name", "score", "distance_km", "reasons"])
    done = 0
    for tender, matches in results:
        rows = matching.match_rows(session, matches, ref)
        if output == "jsonl":
            click.echo(json.dumps({"tender_id": tender.id, "ocid": tender.ocid,
                                   "title": tender.title, "matches": rows},
                                  ensure_ascii=False))
        elif writer:
            for rank, row in enumerate(rows, start=1):
                writer.writerow([tender.id, tender.ocid or "", tender.title, rank,
                                 row["lot_id"] or "", row["supplier_id"], row["supplier_name"],
                                 row["score"], row["distance_km"] if row["distance_km"] is not None
                                 else "", "; ".join(r["text"] for r in row["reasons"])])
        else:
            click.echo(f"\n#{tender.id} {tender.title}")
            if not rows:
                click.echo("  no matching suppliers")
            for rank, row in enumerate(rows, start=1):
                distance = f"{row['distance_km']:.0f} km" if row["distance_km"] is not None \
                    else "distance unknown"
                lot = f" (lot {row['lot_id']})" if row["lot_id"] else ""
                fit = fit_label(row["capable_but_too_small"], row["capable"], row["fits_work"])
                fit = "" if fit == "capable" else f"  ({fit})"
                if row["same_firm_as"] is not None:
                    first = next(i for i, r in enumerate(rows, start=1)
                                 if r["supplier_id"] == row["same_firm_as"])
                    fit += f"  (probably the same firm as no. {first})"
                click.echo(f"  {rank:>2}. {row['score']:.3f}  {row['supplier_name']}{lot}"
                           f"  [{distance}]{fit}")
                for reason in row["reasons"][:4]:
                    click.echo(f"        - {reason['text']}")
        done += 1
        if all_tenders and done % 500 == 0:
            click.echo(f"matched {done} tenders", err=True)
    _say_what_is_missing(session, no_tenders=all_tenders and not done)


def _say_what_is_missing(session, *, no_tenders: bool) -> None:
    """After matching, say so when there was nothing to match, or nothing to match with."""
    if no_tenders:
        click.echo("There are no tenders to match yet: import notices (coopmatch import auto "
                   "FILE) or post one on the web.", err=True)
    elif not matching.register_fingerprint(session)["suppliers"]:
        click.echo("The register has no suppliers yet: import some (coopmatch import "
                   "suppliers FILE, or notices with their awards).", err=True)
