"""`coopmatch import <format> FILE...`, `coopmatch export ocds` and `coopmatch export
suppliers`: thin over the services."""

import io
import json
import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from coopmatch.db import get_session
from coopmatch.errors import CoopmatchError
from coopmatch.imports.formats import FORMATS
from coopmatch.models import OWNERSHIP_MODELS
from coopmatch.reference import current as reference
from coopmatch.services.imports import ImportOptions, import_file


class StageProgress:
    """A progress bar per stage ("reading", "saving") on stderr, for long imports."""

    def __init__(self, label: str):
        self.label = label
        self.bar = None
        self.stage = None
        self.done = 0

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if not sys.stderr.isatty() and stage == self.stage:
            return
        if stage != self.stage:
            self.close()
            self.stage, self.done = stage, 0
            self.bar = click.progressbar(length=total or 1000, file=sys.stderr,
                                         label=f"{self.label}: {stage}", show_pos=True)
            self.bar.__enter__()
        if self.bar is not None and total:
            self.bar.update(max(0, done - self.done))
            self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _import_command(fmt: str):
    spec = FORMATS[fmt]

    @click.command(fmt, help=f"Import {spec.label}.")
    @click.argument("files", nargs=-1, required=True,
                    type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--skip-invalid", is_flag=True,
                  help="Import the good rows; write rejected rows with reasons to a CSV.")
    @click.option("--dry-run", is_flag=True, help="Report what would change; change nothing.")
    @click.option("--area", "areas", multiple=True, metavar="AREA",
                  help="Keep only suppliers in this area (a local authority, county or "
                  "region, by GSS code or name).")
    @click.option("--no-index", is_flag=True,
                  help="Leave the match index to be updated by the next match (when more "
                  "imports follow).")
    @with_appcontext
    def command(files, skip_invalid, dry_run, areas, no_index):
        options = ImportOptions(skip_invalid=skip_invalid, dry_run=dry_run,
                                areas=set(areas) or None)
        _run_imports(fmt, files, options, update_index=not no_index)

    return command


def _run_imports(fmt: str, files, options: ImportOptions, *, update_index: bool = True) -> None:
    session, ref = get_session(), reference()
    failed = False
    changed = 0
    for path in files:
        started = time.perf_counter()
        progress = StageProgress(path.name)
        try:
            summary = import_file(
                session, fmt=fmt, path=path, ref=ref, options=options,
                data_dir=current_app.config.get("COOPMATCH_DATA_DIR") or None,
                max_bytes=current_app.config["IMPORT_MAX_BYTES"], progress=progress)
        except CoopmatchError as error:
            progress.close()
            click.echo(f"{path}: {with_flag(error)}", err=True)
            failed = True
            continue
        progress.close()
        click.echo(summary.summary())
        click.echo(f"  took {time.perf_counter() - started:.1f} s")
        changed += 0 if options.dry_run else summary.changed
    if changed and update_index:
        update_match_index(session, ref)
    if failed:
        raise click.exceptions.Exit(1)


def with_flag(error: CoopmatchError) -> str:
    """The error's message, its advice to import what can be imported naming the flag
    that does it: "... or import the good rows only (--skip-invalid)."."""
    if not getattr(error, "skipping_imports", ""):
        return error.message
    advice, newline, rows = error.message.partition("\n")
    return f"{advice.removesuffix('.')} (--skip-invalid).{newline}{rows}"


def update_match_index(session, ref) -> None:
    """Bring the match indexes up to date now, so the first match afterwards does not wait."""
    from coopmatch.services import matching
    from coopmatch.web.matching import match_settings

    started = time.perf_counter()
    click.echo("Updating the match index ...", err=True)
    matching.refresh_indexes(session, match_settings(), ref)
    click.echo(f"  match index up to date in {time.perf_counter() - started:.1f} s", err=True)


import_group = click.Group("import", help="Import suppliers or notices from a file.")
for _name in FORMATS:
    import_group.add_command(_import_command(_name))


@import_group.command("auto")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True)
@click.option("--dry-run", is_flag=True)
@click.option("--no-index", is_flag=True,
              help="Leave the match index to be updated by the next match.")
@with_appcontext
def import_auto(files, skip_invalid, dry_run, no_index):
    """Import files, recognising each one's format from its columns or JSON shape."""
    _run_imports(None, files, ImportOptions(skip_invalid=skip_invalid, dry_run=dry_run),
                 update_index=not no_index)


export_group = click.Group("export", help="Export data.")


def write_output(path: Path, text: str) -> None:
    """Write an export to a file, or stop saying why it cannot be (no such folder, no
    permission) rather than with a traceback."""
    try:
        path.write_text(text, encoding="utf-8", newline="")
    except OSError as error:
        raise click.ClickException(f"Cannot write {path}: {error.strerror or error}.") from None


@export_group.command("suppliers")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")
@click.option("--words", default="", help="Only suppliers with these words in their name, "
              "description or a contract they have won.")
@click.option("--ownership", type=click.Choice(list(OWNERSHIP_MODELS)), default=None,
              help="Only suppliers of this ownership model.")
@click.option("--area", default="", help="Only suppliers in this local authority, county, "
              "combined authority or region (name or GSS code), or postcode district.")
@click.option("--cpv-division", default="", help="Only suppliers working in this CPV "
              "division (two digits, like 90).")
@with_appcontext
def export_suppliers(output, words, ownership, area, cpv_division):
    """Write the supplier register as the CSV that `coopmatch import suppliers` reads."""
    from coopmatch.services.suppliers import export_register

    handle = io.StringIO()  # written whole, so a refused filter leaves no file behind
    try:
        count = export_register(handle, session=get_session(), ref=reference(), contacts=True,
                                text=words, ownership=ownership or "", area=area,
                                cpv_division=cpv_division)
    except CoopmatchError as error:
        raise click.ClickException(error.message) from error
    if output:
        write_output(output, handle.getvalue())
        click.echo(f"Wrote {count:,} suppliers to {output}.", err=True)
    else:
        click.echo(handle.getvalue(), nl=False)


@export_group.command("ocds")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")
@click.option("--all", "include_imported", is_flag=True,
              help="Include imported notices, not only tenders posted in coopmatch.")
@with_appcontext
def export_ocds(output, include_imported):
    """Write tenders posted in coopmatch as an OCDS 1.1 release package."""
    from coopmatch.services.exports import ocds_release_package

    package = ocds_release_package(get_session(), include_imported=include_imported,
                                   publisher=current_app.config["OCDS_PUBLISHER"],
                                   prefix=current_app.config["OCDS_PREFIX"],
                                   describe=reference().cpv.describe)
    text = json.dumps(package, indent=2, ensure_ascii=False)
    if output:
        write_output(output, text)
        click.echo(f"Wrote {len(package['releases'])} releases to {output}.", err=True)
    else:
        click.echo(text)
