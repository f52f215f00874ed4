"""The `coopmatch` command: thin wrappers over the services, on the database DATABASE_URL names."""

import copy
import os
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, ScriptInfo, with_appcontext
from sqlalchemy.exc import OperationalError, ProgrammingError

from coopmatch.db import get_session, schema_behind, upgrade
from coopmatch.imports.formats import FORMATS
from coopmatch.models import MAX_ID, ORGANISATION_KINDS


def _create_app() -> Flask:
    from coopmatch import create_app

    return create_app(os.environ.get("COOPMATCH_ENV", "development"))


class _Commands(FlaskGroup):
    """The commands, with one clear message for a database whose schema is missing or behind
    (a command run before `coopmatch db upgrade`) instead of SQL's traceback. Flask's own
    options (--env-file, --app, --debug) still work but are left out of --help: the app is
    always coopmatch's, and the settings are environment variables (see the README)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.params = [_hidden(param) if param.name in _FLASK_OPTIONS else param
                       for param in self.params]

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (OperationalError, ProgrammingError) as exc:
            url = _database_url(ctx)
            problem = url and (_connection_problem(url) or _schema_problem(url))
            if problem:
                raise click.ClickException(problem) from exc
            raise


_FLASK_OPTIONS = {"env_file", "app", "debug"}


def _hidden(option: click.Parameter) -> click.Parameter:
    """A copy of one of Flask's options that --help leaves out (Flask's own stays as it was)."""
    option = copy.copy(option)
    option.hidden = True
    return option


def _database_url(ctx: click.Context) -> str | None:
    try:
        return ctx.ensure_object(ScriptInfo).load_app().config["DATABASE_URL"]
    except Exception:  # noqa: BLE001 - the original error says more than ours would
        return None


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _connection_problem(url: str) -> str | None:
    """Say so when the database cannot be reached at all (its server is down, the address
    or the file's folder is wrong), naming it and the driver's reason, without a traceback."""
    from sqlalchemy import create_engine

    from coopmatch.db import server_connect_args

    engine = create_engine(url, connect_args=server_connect_args(url))
    try:
        with engine.connect():
            return None
    except OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        return (f"Cannot connect to the database at {_shown(url)}: {reason}. Check that its "
                "server is running, or set DATABASE_URL to the database to use.")
    except Exception:  # noqa: BLE001 - the original error says more than ours would
        return None
    finally:
        engine.dispose()


def _schema_problem(url: str) -> str | None:
    try:
        behind = schema_behind(url)
    except Exception:  # noqa: BLE001 - the database's own error says more than ours would
        return None
    if behind is None:
        return None
    return f"The database at {_shown(url)} {behind}: run `coopmatch db upgrade` first."


@click.group(cls=_Commands, create_app=_create_app, add_default_commands=False,
             add_version_option=False)
def main():
    """coopmatch: match anchor institutions' tenders to local suppliers and co-ops."""


db_group = click.Group("db", help="Manage the database schema.")


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def db_upgrade(revision: str):
    """Create or migrate the schema to the latest revision."""
    upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database at {_safe_url()} is at revision {revision}.")
    if revision == "head":
        from coopmatch.reference import current as reference
        from coopmatch.services.geography import place_councils, refresh_areas
        from coopmatch.services.suppliers import drop_placeholder_winners, refresh_ownership

        changed = refresh_areas(get_session(), reference().geo)
        if changed:
            click.echo(f"Area codes brought up to date on {changed} "
                       f"record{'s' if changed != 1 else ''} (counties and combined "
                       "authorities as the reference data has them).")
        councils = place_councils(get_session(), reference().geo)
        if councils:
            click.echo(f"{councils} supplier{'s' if councils != 1 else ''} with no address "
                       "placed in the area the name names (councils, police forces, fire "
                       "services and NHS bodies, as buyers are); run `coopmatch spend "
                       "resolve` to add those the ledgers pay.")
        public = refresh_ownership(get_session())
        if public:
            click.echo(f"{public} award winner{'s' if public != 1 else ''} named as public "
                       f"bod{'ies' if public != 1 else 'y'} (councils, NHS bodies, police, "
                       "fire) now recorded as such.")
        placeholders = drop_placeholder_winners(get_session())
        if placeholders:
            click.echo(f"{placeholders} supplier{'s' if placeholders != 1 else ''} made of what "
                       "award notices write where they name no winner ('Tender abandoned') "
                       "removed, with the awards that named them.")


@click.command("demo")
@click.option("--small", is_flag=True, help="Load only the small built-in demo.")
@with_appcontext
def demo(small: bool):
    """Load the demo: Lancashire anchors and notices, North West co-ops, demo accounts."""
    if os.environ.get("COOPMATCH_ENV") == "production":
        raise click.ClickException(
            "The demo creates accounts with a published password: it will not run in production.")
    from coopmatch.reference import current as reference
    from coopmatch.services import demo as demo_service

    session, ref = get_session(), reference()
    result = demo_service.load_demo(session, ref=ref,
                                    data_dir=current_app.config.get("COOPMATCH_DATA_DIR") or None,
                                    small=small, echo=click.echo)
    click.echo(result.summary())
    from coopmatch.cli_imports import update_match_index

    update_match_index(session, ref)  # the first tender page opens at once


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve(host: str, port: int):
    """Serve the app locally (use gunicorn 'wsgi:app' in production)."""
    from coopmatch.services.demo import DEMO_ACCOUNTS

    click.echo(f"coopmatch on http://{host}:{port}/  (database {_safe_url()})")
    click.echo(f"Demo accounts (password for all: {DEMO_ACCOUNTS[0][2]}):")
    for email, role, _password in DEMO_ACCOUNTS:
        click.echo(f"  {role:<12} {email}")
    from werkzeug.serving import run_simple

    run_simple(host, port, current_app._get_current_object(), use_reloader=False,
               threaded=True)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def worker(burst: bool):
    """Run the background import worker (RQ on the Redis that REDIS_URL names)."""
    from redis import Redis
    from rq import Queue, Worker

    from coopmatch.services.jobs import QUEUE_NAME

    url = current_app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException("Set REDIS_URL: without it imports run inside the web app.")
    connection = Redis.from_url(url)
    Worker([Queue(QUEUE_NAME, connection=connection)], connection=connection).work(burst=burst)


organisations_group = click.Group("organisations", help="Anchor institutions and agencies.")


@organisations_group.command("add")
@click.argument("name")
@click.option("--kind", type=click.Choice(list(ORGANISATION_KINDS)), default="council",
              show_default=True)
@click.option("--postcode", help="The main office, which sets the organisation's local area.")
@with_appcontext
def add_organisation(name, kind, postcode):
    """Add an anchor institution or agency (or say it is already there)."""
    from coopmatch.errors import CoopmatchError
    from coopmatch.models import OrganisationCreate
    from coopmatch.reference import current as reference
    from coopmatch.services import organisations, spend

    session = get_session()
    try:
        existing = spend.find_anchor(session, name)
    except CoopmatchError:
        existing = None
    if existing:
        click.echo(f"{existing.name} is already there (id {existing.id}).")
        return
    try:
        organisation = organisations.create_organisation(
            session, actor=None, ref=reference(),
            data=OrganisationCreate(name=name, kind=kind, postcode=postcode))
    except CoopmatchError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Added {organisation.name} (id {organisation.id}, "
               f"local authority {organisation.local_authority_code or 'not known'}).")


@organisations_group.command("list")
@with_appcontext
def list_organisations():
    """List organisations with their ids."""
    from coopmatch.services import organisations

    for o in organisations.list_organisations(session=get_session()):
        click.echo(f"{o.id:>5}  {o.name}  ({o.kind}, {o.local_authority_code or '-'})")


@organisations_group.command("duplicates")
@with_appcontext
def organisation_duplicates():
    """List organisations probably listed twice (as KEEP_ID OTHER_ID ALIKE% KEPT <- OTHER)."""
    from coopmatch.reference import current as reference
    from coopmatch.services import organisations

    pairs = organisations.duplicate_candidates(session=get_session(), user=None,
                                               geo=reference().geo)
    if not pairs:
        click.echo("No organisation looks listed twice.")
    for pair in pairs:
        click.echo(f"{pair.keep.id:>7} {pair.other.id:>7}  {pair.score:3.0f}%  "
                   f"{pair.keep.name} <- {pair.other.name}")


@organisations_group.command("merge")
@click.argument("keep_id", type=click.IntRange(1, MAX_ID))
@click.argument("other_id", type=click.IntRange(1, MAX_ID))
@with_appcontext
def merge_organisations(keep_id: int, other_id: int):
    """Merge organisation OTHER_ID into KEEP_ID, the same body under another name: its
    tenders, accounts and payments move, and imports that name it find KEEP_ID."""
    from coopmatch.errors import CoopmatchError
    from coopmatch.services import organisations

    session = get_session()
    try:
        kept = organisations.merge_organisations(session, user=None, keep_id=keep_id,
                                                 other_id=other_id)
    except CoopmatchError as error:
        session.rollback()
        raise click.ClickException(error.message) from None
    click.echo(f"Merged organisation {other_id} into {kept.name} (id {kept.id}), which also "
               f"goes by: {'; '.join(kept.names[1:])}.")


@organisations_group.command("distinct")
@click.argument("first_id", type=click.IntRange(1, MAX_ID))
@click.argument("second_id", type=click.IntRange(1, MAX_ID))
@click.option("--undo", is_flag=True, help="Take the mark off: they may be listed again.")
@with_appcontext
def organisations_distinct(first_id: int, second_id: int, undo: bool):
    """Mark organisations FIRST_ID and SECOND_ID as two bodies, not one listed twice:
    `duplicates` no longer lists them."""
    _judge_distinct("organisation", first_id, second_id, undo)


def _judge_distinct(kind: str, first_id: int, second_id: int, undo: bool) -> None:
    """Mark two suppliers or organisations as two (or undo that), for the `distinct` commands."""
    from coopmatch.errors import CoopmatchError
    from coopmatch.services import distinct

    session = get_session()
    change = distinct.unmark_distinct if undo else distinct.mark_distinct
    try:
        pair = change(session, user=None, kind=kind, first_id=first_id, second_id=second_id)
    except CoopmatchError as error:
        session.rollback()
        raise click.ClickException(error.message) from None
    if undo:
        click.echo(f"{pair.first_name} and {pair.second_name} may be listed as duplicates "
                   "again.")
    else:
        click.echo(f"Marked {pair.first_name} and {pair.second_name} as two {kind}s: "
                   "`duplicates` no longer lists them (undo with --undo).")


suppliers_group = click.Group("suppliers", help="Keep the supplier register clean.")


@suppliers_group.command("duplicates")
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True)
@with_appcontext
def supplier_duplicates(limit: int):
    """List suppliers the register probably lists twice, most alike first (as KEEP OTHER)."""
    from coopmatch.reference import current as reference
    from coopmatch.services import suppliers

    pairs = suppliers.duplicate_candidates(session=get_session(), user=None,
                                           geo=reference().geo, limit=limit)
    if not pairs:
        click.echo("No supplier looks listed twice.")
    for pair in pairs:
        click.echo(f"{pair.keep.id:>7} {pair.other.id:>7}  {pair.score:3.0f}%  "
                   f"{pair.keep.name} <- {pair.other.name}")


@suppliers_group.command("merge")
@click.argument("keep_id", type=click.IntRange(1, MAX_ID))
@click.argument("other_id", type=click.IntRange(1, MAX_ID))
@with_appcontext
def supplier_merge(keep_id: int, other_id: int):
    """Merge supplier OTHER_ID into KEEP_ID: its contracts, ledger names and accounts move."""
    from coopmatch.errors import CoopmatchError
    from coopmatch.reference import current as reference
    from coopmatch.services import suppliers

    session = get_session()
    try:
        kept = suppliers.merge_suppliers(session, user=None, keep_id=keep_id,
                                         other_id=other_id, ref=reference())
    except CoopmatchError as error:
        session.rollback()
        raise click.ClickException(error.message) from None
    click.echo(f"Merged supplier {other_id} into {kept.name} (id {kept.id}); "
               "`coopmatch suppliers merges` lists merges to undo.")


@suppliers_group.command("distinct")
@click.argument("first_id", type=click.IntRange(1, MAX_ID))
@click.argument("second_id", type=click.IntRange(1, MAX_ID))
@click.option("--undo", is_flag=True, help="Take the mark off: they may be listed again.")
@with_appcontext
def suppliers_distinct(first_id: int, second_id: int, undo: bool):
    """Mark suppliers FIRST_ID and SECOND_ID as two firms, not one listed twice: `duplicates`
    no longer lists them."""
    _judge_distinct("supplier", first_id, second_id, undo)


@suppliers_group.command("locate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default=None,
              help="The file's format (recognised from its columns or JSON shape if left out).")
@click.option("--dry-run", is_flag=True, help="List who would be placed; change nothing.")
@with_appcontext
def supplier_locate(file: Path, fmt: str | None, dry_run: bool):
    """Place suppliers with no postcode where FILE puts the same company: notices or register
    rows of any import format. Fills blanks only; adds no tenders or suppliers."""
    from coopmatch.cli_imports import update_match_index
    from coopmatch.errors import CoopmatchError
    from coopmatch.reference import current as reference
    from coopmatch.services import suppliers
    from coopmatch.services.audit import counted

    session, ref = get_session(), reference()
    try:
        located, errors = suppliers.locate_from_file(
            session, path=file, fmt=fmt, ref=ref, user=None, source=file.name,
            data_dir=current_app.config.get("COOPMATCH_DATA_DIR") or None, max_bytes=None,
            dry_run=dry_run)
    except CoopmatchError as error:
        session.rollback()
        raise click.ClickException(error.message) from None
    if errors:  # a row that cannot be read gives no postcode; the others still count
        click.echo(f"{counted(len(errors), 'row')} could not be read and passed over; the "
                   f"first: {errors[0]}.", err=True)
    verb = "Would place" if dry_run else "Placed"
    click.echo(f"{verb} {len(located.placed):,} of the {counted(located.unplaced, 'supplier')} "
               f"with a company's name and no postcode, where {file.name} puts the same "
               "company.")
    for supplier_id, name, postcode in located.placed:
        click.echo(f"{supplier_id:>7}  {postcode:<8}  {name}")
    if located.placed and not dry_run:
        update_match_index(session, ref)


@suppliers_group.command("remove")
@click.argument("supplier_id", type=click.IntRange(1, MAX_ID))
@with_appcontext
def supplier_remove(supplier_id: int):
    """Remove supplier SUPPLIER_ID, a record that is no firm (its awards go with it)."""
    from coopmatch.errors import CoopmatchError
    from coopmatch.services import suppliers

    session = get_session()
    try:
        name = suppliers.remove_supplier(session, user=None, supplier_id=supplier_id)
    except CoopmatchError as error:
        session.rollback()
        raise click.ClickException(error.message) from None
    click.echo(f"Removed {name} (id {supplier_id}) from the register. "
               "`coopmatch suppliers removals` lists it, to undo.")


@suppliers_group.command("removals")
@with_appcontext
def supplier_removals():
    """List recent removals that can be undone, newest first (as REMOVAL_ID WHEN NAME: WHY)."""
    from coopmatch.services import removals

    session = get_session()
    found = removals.recent_removals(session, user=None)
    if not found:
        click.echo("No removals to undo.")
    returned = removals.returned_since(session, found)
    for removal in found:
        back = returned.get(removal.id)
        since = f" (came back since as id {back.id}: restore puts its contracts on that one)" \
            if back else ""
        click.echo(f"{removal.id:>7}  {removal.at:%Y-%m-%d %H:%M}  {removal.removed_name}: "
                   f"{removal.why}{since}")


@suppliers_group.command("restore")
@click.argument("removal_id", type=click.IntRange(1, MAX_ID))
@with_appcontext
def supplier_restore(removal_id: int):
    """Undo removal REMOVAL_ID (see `coopmatch suppliers removals`): the supplier is back."""
    from coopmatch.errors import CoopmatchError
    from coopmatch.reference import current as reference
    from coopmatch.services import removals

    session = get_session()
    try:
        undone = removals.undo_removal(session, user=None, removal_id=removal_id,
                                       geo=reference().geo)
    except CoopmatchError as error:
        session.rollback()
        raise click.ClickException(error.message) from None
    supplier = undone.supplier
    if undone.came_back:
        click.echo(f"{supplier.name} had come back to the register since (id {supplier.id}): "
                   "its old contracts are back on it.")
    else:
        click.echo(f"{supplier.name} (id {supplier.id}) is back in the register.")


@suppliers_group.command("merges")
@with_appcontext
def supplier_merges():
    """List recent merges that can be undone, newest first (as MERGE_ID KEPT <- MERGED)."""
    from coopmatch.services import merges

    found = merges.recent_merges(get_session(), user=None)
    if not found:
        click.echo("No merges to undo.")
    for merge in found:
        click.echo(f"{merge.id:>7}  {merge.at:%Y-%m-%d %H:%M}  {merge.kept_name} <- "
                   f"{merge.removed_name}")


@suppliers_group.command("unmerge")
@click.argument("merge_id", type=click.IntRange(1, MAX_ID))
@with_appcontext
def supplier_unmerge(merge_id: int):
    """Undo merge MERGE_ID (see `coopmatch suppliers merges`): the merged supplier is back."""
    from coopmatch.errors import CoopmatchError
    from coopmatch.services import merges

    session = get_session()
    try:
        restored = merges.undo_merge(session, user=None, merge_id=merge_id)
    except CoopmatchError as error:
        session.rollback()
        raise click.ClickException(error.message) from None
    click.echo(f"{restored.name} (id {restored.id}) is back in the register.")


def _safe_url() -> str:
    from sqlalchemy.engine import make_url

    return make_url(current_app.config["DATABASE_URL"]).render_as_string(hide_password=True)


def register_commands(app: Flask) -> None:
    """Attach the commands to the app's CLI."""
    from coopmatch.cli_gaps import gaps_command
    from coopmatch.cli_imports import export_group, import_group
    from coopmatch.cli_match import match
    from coopmatch.cli_spend import import_spend, spend_group

    app.cli.add_command(db_group)
    app.cli.add_command(demo)
    app.cli.add_command(serve)
    app.cli.add_command(import_group)
    app.cli.add_command(export_group)
    app.cli.add_command(match)
    app.cli.add_command(gaps_command)
    import_group.add_command(import_spend)
    app.cli.add_command(spend_group)
    app.cli.add_command(organisations_group)
    app.cli.add_command(suppliers_group)
    app.cli.add_command(worker)
