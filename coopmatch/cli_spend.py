"""`coopmatch import spend` and `coopmatch spend ...`: thin over the spend services."""

import io
import json
import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from coopmatch.cli_imports import StageProgress, with_flag, write_output
from coopmatch.db import get_session
from coopmatch.errors import CoopmatchError
from coopmatch.reference import current as reference
from coopmatch.services import ledger_names, spend
from coopmatch.spend.columns import ROLES
from coopmatch.spend.ledger import columns_at_fault
from coopmatch.spreadsheets import SafeDictWriter


@click.command("spend")
@click.option("--anchor", required=True, help="The anchor's organisation id or name.")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Import the good rows; list the others.")
@click.option("--dry-run", is_flag=True, help="Report what would change; change nothing.")
@click.option("--column", "columns", multiple=True, metavar="ROLE=HEADER",
              help="Say which column holds what: date, amount, supplier, expense_type, "
                   "department, supplier_ref, transaction_id, description.")
@with_appcontext
def import_spend(anchor, files, skip_invalid, dry_run, columns):
    """Import an anchor's payment ledgers (CSV or XLSX, several monthly files at once)."""
    session = get_session()
    mapping = {}
    for item in columns:
        role, _, header = item.partition("=")
        if not header:
            raise click.BadParameter(f"'{item}' is not ROLE=HEADER", param_hint="--column")
        if role.strip() not in ROLES:
            raise click.BadParameter(f"'{role.strip()}' is not a column role: use one of "
                                     f"{', '.join(ROLES)}", param_hint="--column")
        mapping[role.strip()] = int(header) if header.strip().isdigit() else header.strip()
    started = time.perf_counter()
    progress = StageProgress(f"{len(files)} file(s)")
    try:
        organisation = spend.find_anchor(session, anchor)
        summary = spend.import_ledgers(
            session, anchor=organisation, paths=files, skip_invalid=skip_invalid,
            dry_run=dry_run, columns=mapping or None,
            max_bytes=current_app.config["IMPORT_MAX_BYTES"], progress=progress,
            ref=reference())
    except CoopmatchError as error:
        progress.close()
        advice = ("\nName the columns with --column ROLE=HEADER, for example "
                  "--column date=\"Paid On\"." if columns_at_fault(error.message) else "")
        raise click.ClickException(with_flag(error) + advice) from None
    progress.close()
    click.echo(summary.summary())
    for error in summary.errors[:20]:
        click.echo(f"  rejected: {error}", err=True)
    click.echo(f"  took {time.perf_counter() - started:.1f} s")


spend_group = click.Group("spend", help="Spend analysis: how much of anchors' spend stays local.")


@spend_group.command("report")
@click.option("--anchor", "anchors", multiple=True, help="Organisation id or name (repeat).")
@click.option("--year", type=int, help="Financial year starting in April of YEAR.")
@click.option("--group-area", metavar="AREA",
              help="Also measure the anchors together against this local authority, by name or "
              "code (Preston, or E07000123).")
@click.option("--without-public-bodies", is_flag=True,
              help="Leave out payments to public bodies (precepts, levies, shared services): "
              "procurement spend alone.")
@click.option("--format", "output", default="table", show_default=True,
              type=click.Choice(["table", "csv", "json"]))
@with_appcontext
def report(anchors, year, group_area, without_public_bodies, output):
    """Local share of spend per anchor and financial year (CLES method)."""
    session, ref = get_session(), reference()
    try:
        organisations = ([spend.find_anchor(session, a) for a in anchors] if anchors
                         else spend.anchors_with_spend(session))
        area = spend.place_area(ref, group_area) if group_area else None
    except CoopmatchError as error:
        raise click.ClickException(error.message) from None
    public_bodies = not without_public_bodies
    reports = spend.anchor_reports(session, anchors=organisations, ref=ref, year=year,
                                   public_bodies=public_bodies, group_area=area)
    if output == "json":
        click.echo(json.dumps([{"anchor": r.name, "anchor_id": r.anchor_id,
                                **spend.figures_dict(r.figures)} for r in reports], indent=2))
        return
    rows = spend.report_rows(reports)
    if output == "csv":
        writer = SafeDictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["anchor"])
        writer.writeheader()
        writer.writerows(rows)
        return
    if not rows:
        click.echo(_no_payments(organisations, year))
        return

    def pct(value):
        return "   -  " if value is None else f"{value * 100:5.1f}%"

    click.echo(f"{'anchor':<42} {'year':<8} {'total £':>14} {'local':>7} {'wider':>7} "
               f"{'unresolved £':>13} {'redacted £':>11}")
    for row in rows:
        click.echo(f"{row['anchor'][:42]:<42} {row['year']:<8} {row['total']:>14,.0f} "
                   f"{pct(row['local_share'])} {pct(row['wider_share'])} "
                   f"{row['unresolved']:>13,.0f} {row['redacted']:>11,.0f}")
    for r in reports:
        change = r.figures.change()
        if change and len(r.figures.years) > 1:
            first, last = change
            click.echo(f"{r.name}: local share {pct(first.local_share).strip()} in "
                       f"{first.label} -> {pct(last.local_share).strip()} in {last.label}")


@spend_group.command("resolve")
@with_appcontext
def resolve():
    """Resolve ledger supplier names again against the register (decisions are kept); councils
    paid but not in the register are added to it, placed in their areas."""
    outcome = ledger_names.resolve_again(get_session(), geo=reference().geo)
    click.echo("Supplier names: " + ", ".join(f"{n} {s}" for s, n in sorted(outcome.items())))


def _no_payments(organisations, year: int | None) -> str:
    """Why a report has no rows: no payments at all, none of the anchors asked for, or none in
    the year asked for."""
    if not organisations:
        return "No payments imported yet: use `coopmatch import spend`."
    named = ", ".join(o.name for o in organisations)
    if year is not None:
        return (f"No payments in the financial year {year}/{(year + 1) % 100:02d} "
                f"(April {year} to March {year + 1}) for {named}.")
    return f"No payments imported yet for {named}: use `coopmatch import spend`."


@spend_group.command("payees")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file (default: standard output).")
@click.option("--anchor", help="Only the payees of this anchor (id or name), with its spend.")
@click.option("--name", "words", default="", help="Only payees whose name holds these words.")
@with_appcontext
def payees(output, anchor, words):
    """Payees not yet matched to a supplier, largest spend first, as a supplier register CSV:
    fill in where each is based and import it with `coopmatch import suppliers`."""
    session = get_session()
    try:
        only = spend.PayeeFilter(anchor_id=spend.find_anchor(session, anchor).id
                                 if anchor else None, words=words)
        handle = io.StringIO()  # written whole: no half-written file if the listing fails
        count = spend.write_payees_csv(session, handle, user=None, only=only)
    except CoopmatchError as error:
        raise click.ClickException(error.message) from None
    if output is None:
        sys.stdout.write(handle.getvalue())
    else:
        write_output(Path(output), handle.getvalue())
    click.echo(f"{count} payee(s) not yet matched; fill in each one's postcode and ownership, "
               "then `coopmatch import suppliers FILE`.", err=True)
