"""Import jobs: files uploaded through the web, previewed, then imported with visible progress.

Small files import inside the request. Large ones run in the background: on an RQ queue in
Redis when REDIS_URL is set, otherwise in a thread of the web process (the embedded default).
Progress lives outside the database (Redis or memory), because on SQLite the import's own
transaction holds the only write lock until it commits.
"""

import json
import logging
import os
import shutil
import socket
import threading
import uuid
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, select, update
from werkzeug.utils import secure_filename

from coopmatch.errors import CoopmatchError, Forbidden, NotFound, Unavailable
from coopmatch.imports import formats
from coopmatch.imports.reading import FileRejected
from coopmatch.models import ImportJob, Organisation, Tender, User, utcnow
from coopmatch.reference import Reference
from coopmatch.services import audit, spend, tenders
from coopmatch.services.imports import (
    ImportOptions,
    ImportRejected,
    ImportSummary,
    import_file,
    preview,
)
from coopmatch.services.permissions import can_import, is_admin
from coopmatch.spend import read_ledgers
from coopmatch.spend.ledger import NAME_THOSE_COLUMNS, columns_at_fault

log = logging.getLogger(__name__)
QUEUE_NAME = "coopmatch-imports"
# Uploaded files are deleted once imported; a file never imported, and the rejected rows' CSV
# of a finished import, are kept this long.
RETENTION_DAYS = 7
# The longest an import may run on RQ; one running longer where it cannot be seen (on another
# machine) is taken to have stopped.
JOB_TIMEOUT = timedelta(hours=6)
ENQUEUE_GRACE = timedelta(minutes=1)
STOPPED = "The import stopped before it finished: the server running it stopped or restarted."
START_AGAIN = ("Nothing is lost: start it again below (anything it had already saved is found "
               "and not imported twice).")
UPLOAD_AGAIN = "Its file is no longer here: upload it again."


@dataclass(frozen=True)
class JobSettings:
    """What a job needs to run anywhere: in the request, a thread or an RQ worker."""

    database_url: str
    data_dir: str | None
    cache_dir: str | None
    max_bytes: int
    redis_url: str = ""
    # Where the match indexes are kept, and their weights: a job brings them up to date after
    # importing, so the first match afterwards does not wait (empty: left to the next match).
    index_dir: str = ""
    match_weights: dict | None = None


# --- progress ----------------------------------------------------------------------------------


class MemoryProgress:
    """Progress of jobs running in this process."""

    def __init__(self):
        self._data: dict[int, dict] = {}
        self._lock = threading.Lock()

    def set(self, job_id: int, stage: str, fraction: float) -> None:
        with self._lock:
            self._data[job_id] = {"stage": stage, "fraction": round(fraction, 3)}

    def get(self, job_id: int) -> dict | None:
        with self._lock:
            return self._data.get(job_id)


class RedisProgress:
    """Progress of jobs shared through Redis, so any web worker can report it."""

    def __init__(self, url: str):
        from redis import Redis

        self.redis = Redis.from_url(url)

    def _key(self, job_id: int) -> str:
        return f"coopmatch:import-progress:{job_id}"

    # Progress is a courtesy: with Redis unreachable it is kept in this process's memory (a
    # page served by this process still shows it), and the import goes on.

    def set(self, job_id: int, stage: str, fraction: float) -> None:
        from redis import RedisError

        key = self._key(job_id)
        try:
            self.redis.hset(key, mapping={"stage": stage, "fraction": round(fraction, 3)})
            self.redis.expire(key, 24 * 3600)
        except RedisError as error:
            _redis_down(error)
        _memory.set(job_id, stage, fraction)

    def get(self, job_id: int) -> dict | None:
        from redis import RedisError

        try:
            raw = self.redis.hgetall(self._key(job_id))
        except RedisError as error:
            _redis_down(error)
            return _memory.get(job_id)
        if not raw:
            return _memory.get(job_id)
        return {"stage": raw[b"stage"].decode(), "fraction": float(raw[b"fraction"])}


_warned: set[str] = set()


def _redis_down(error: Exception) -> None:
    """Log, once per process, that Redis cannot be reached."""
    if "redis" not in _warned:
        _warned.add("redis")
        log.warning("Redis cannot be reached (%s): imports run in the web process and "
                    "report progress from it until it can be.", error)


_memory = MemoryProgress()


def progress_store(redis_url: str = ""):
    return RedisProgress(redis_url) if redis_url else _memory


# --- uploads -------------------------------------------------------------------------------------


def _check_may_import(user: User, fmt: str) -> None:
    if not can_import(user):
        raise Forbidden("Only buyers, agencies and administrators can import files.")
    if user.role == "procurement" and formats.get(fmt).kind != "notices":
        raise Forbidden("Buyers can import their own organisation's notices. Supplier registers "
                        "are imported by development agencies.")


def create_upload(session: Session, *, user: User, stream, filename: str, fmt: str | None,
                  upload_dir: str, max_bytes: int, ref: Reference,
                  data_dir: str | None) -> ImportJob:
    """Store an uploaded file, recognise its format and record the job; nothing is imported."""
    if not can_import(user):
        raise Forbidden("Only buyers, agencies and administrators can import files.")

    def check(target: Path) -> str:
        found, _, _ = preview(fmt or None, target, ref, data_dir=data_dir, max_bytes=max_bytes,
                              rows=1)
        _check_may_import(user, found)
        return found

    target, size, fmt = _store(session, stream, filename, upload_dir, max_bytes, check)
    job = ImportJob(user_id=user.id, format=fmt, filename=filename or target.name,
                    stored_path=str(target), size_bytes=size)
    return audit.save_created(session, job, user=user, action="upload", entity="import_job",
                              summary=f"{job.filename} ({fmt}, {size} bytes)")


def create_locate_upload(session: Session, *, user: User, stream, filename: str,
                         fmt: str | None, dry_run: bool, upload_dir: str, max_bytes: int,
                         ref: Reference, data_dir: str | None) -> ImportJob:
    """Store a file to place suppliers from (`suppliers.locate_from_file`), too big to read
    within a request, and record the job; `start_job` runs it. Administrators only."""
    if not is_admin(user):
        raise Forbidden("Only an administrator can place suppliers from a file.")

    def check(target: Path) -> str:
        found, _, _ = preview(fmt or None, target, ref, data_dir=data_dir, max_bytes=max_bytes,
                              rows=1)
        return found

    target, size, fmt = _store(session, stream, filename, upload_dir, max_bytes, check)
    job = ImportJob(user_id=user.id, format=fmt, kind=LOCATE, filename=filename or target.name,
                    stored_path=str(target), size_bytes=size, dry_run=dry_run)
    return audit.save_created(session, job, user=user, action="upload", entity="import_job",
                              summary=f"{job.filename} ({fmt}, {size} bytes), to place suppliers")


LOCATE = "locate"  # the job kind of a file that places suppliers, not one imported
LEDGER = "ledger"  # the job format of a payment ledger (spend analysis), not a notice format
PREVIEW_ROWS = 10


def create_ledger_upload(session: Session, *, user: User, files, anchor_id: int,
                         upload_dir: str, max_bytes: int,
                         columns: dict[str, str] | None = None) -> ImportJob:
    """Store an anchor's payment ledgers (one job: a month's files, say) and read them through
    once; nothing is imported.

    `files` are (stream, filename) pairs, each up to `max_bytes`. `columns` names the headers
    of roles the files' own headers do not make clear (role -> header); they are kept on the
    job and used again when importing. The first payments and problems are kept on the job,
    for the preview. A file from which no payment can be read refuses the upload, named.
    """
    columns = {k: v for k, v in (columns or {}).items() if v}
    files = list(files)
    if not files:
        raise FileRejected("Choose a ledger file.", field="file")
    anchor = session.get(Organisation, anchor_id)
    if anchor is None:
        raise NotFound("There is no such organisation.")
    spend.check_may_import(user, anchor)

    def check(folder: Path, names: list[str]):
        # Read together, as the import reads them (a file without a header borrows another's).
        ledger = read_ledgers([folder / n for n in names], max_bytes=max_bytes,
                              columns=columns or None)
        read = Counter(p.source_file for p in ledger.payments)
        for name in names:
            if read[name]:
                continue
            mine = [e for e in ledger.errors if getattr(e, "file", None) == name]
            reason = mine[0].reason if mine else ""
            advice = ""
            if reason.endswith(NAME_THOSE_COLUMNS):
                advice = " below, then choose the file again."
            elif columns_at_fault(reason):
                advice = ". Give the column headings below, then choose the file again."
            which = f" ({name})" if len(names) > 1 else ""
            raise FileRejected(f"No payment could be read from this file{which}" + (
                f": {reason}{advice}" if reason else "."), field="file")
        return ledger.payments, ledger.errors

    folder, names, size, (payments, errors) = _store_many(session, files, upload_dir,
                                                         max_bytes, check)
    preview = {
        "rows": len(payments),
        "problems": len(errors),
        "payments": [{"line": p.line, "date": p.date.isoformat(), "supplier": p.supplier_name,
                      "amount": p.amount_pence / 100, "expense_type": p.expense_type or "",
                      "redacted": p.redacted, "file": p.source_file or ""}
                     for p in payments[:PREVIEW_ROWS]],
        "errors": [str(e) for e in errors[:PREVIEW_ROWS]],
        "columns": columns,
        "files": names,
    }
    label = names[0] if len(names) == 1 else f"{len(names)} files: " + ", ".join(names)
    job = ImportJob(user_id=user.id, format=LEDGER, filename=label[:300],
                    stored_path=str(folder / names[0]), size_bytes=size, anchor_id=anchor.id,
                    result=json.dumps({"preview": preview}))
    return audit.save_created(
        session, job, user=user, action="upload", entity="import_job",
        summary=f"{job.filename} (payment ledger of {anchor.name}, {size} bytes)")


def _store_many(session: Session, files, upload_dir: str, max_bytes: int, check, *,
                default_name: str = "ledger.csv"):
    """Save uploads in one folder of their own and check them; on any failure keep nothing.

    Returns (folder, the stored file names in upload order, total size, `check(folder, names)`).
    """
    clean_uploads(session)
    folder = _upload_folder(upload_dir)
    try:
        names, size = [], 0
        for stream, filename in files:
            name = secure_filename(filename or "") or default_name
            while name in names:  # two files of one name: keep both
                name = f"{len(names) + 1}-{name}"
            size += _save_limited(stream, folder / name, max_bytes)
            names.append(name)
        return folder, names, size, check(folder, names)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _store(session: Session, stream, filename: str, upload_dir: str, max_bytes: int, check):
    """Save one upload in a folder of its own and check it; on any failure keep nothing.

    Returns (path, size, what `check(path)` returned).
    """
    folder, names, size, checked = _store_many(
        session, [(stream, filename)], upload_dir, max_bytes,
        lambda folder, names: check(folder / names[0]), default_name="upload")
    return folder / names[0], size, checked


def read_upload(stream, filename: str, *, upload_dir: str, max_bytes: int, read):
    """Keep an upload only as long as `read(path)` takes, and return what that returns: for a
    file read at once rather than imported by a job."""
    folder = _upload_folder(upload_dir)
    try:
        target = folder / (secure_filename(filename or "") or "upload")
        _save_limited(stream, target, max_bytes)
        return read(target)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _upload_folder(upload_dir: str) -> Path:
    """A new folder for one upload's files."""
    folder = Path(upload_dir) / uuid.uuid4().hex
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _cannot_store(error) from error
    return folder


def _cannot_store(error: OSError) -> Unavailable:
    log.error("Uploads cannot be stored: %s", error)
    return Unavailable(f"The server cannot store the file just now ({error.strerror or error}). "
                       "Nothing was imported: try again later, or tell the administrator.",
                       field="file")


def _save_limited(stream, target: Path, max_bytes: int) -> int:
    size = 0
    try:
        with open(target, "wb") as out:
            while chunk := stream.read(1024 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise FileRejected(
                        f"The file is larger than the {max_bytes // (1024 * 1024)} MB limit. "
                        "Split it into smaller files, or import it with the command line.",
                        field="file")
                out.write(chunk)
    except OSError as error:  # a full disk
        raise _cannot_store(error) from error
    if size == 0:
        raise FileRejected("The selected file is empty.", field="file")
    return size


def get_job(session: Session, *, user: User, job_id: int) -> ImportJob:
    """Return a job its uploader (or an administrator) may see."""
    job = session.get(ImportJob, job_id)
    if job is None:
        raise NotFound("There is no such import.")
    if job.user_id != user.id and not is_admin(user):
        raise Forbidden("You can only see your own imports.")
    return job


def follow_job(session: Session, *, user: User, job_id: int,
               redis_url: str = "") -> tuple[ImportJob, dict | None]:
    """Return a job its uploader may see, and its progress.

    A started job whose runner has stopped (a restart, a deploy, a killed worker) is put back to
    be started again, rather than showing "Importing" for ever with its upload stuck.
    """
    job = get_job(session, user=user, job_id=job_id)
    _put_back_if_stopped(session, job, redis_url)
    progress = progress_store(redis_url).get(job.id)
    if progress is None and job.status == "queued":
        progress = _waiting(job, redis_url)
    return job, progress


def list_jobs(session: Session, *, user: User, limit: int = 50,
              redis_url: str = "") -> list[ImportJob]:
    query = select(ImportJob).order_by(ImportJob.id.desc()).limit(limit)
    if not is_admin(user):
        query = query.where(ImportJob.user_id == user.id)
    found = list(session.exec(query))
    for job in found:
        _put_back_if_stopped(session, job, redis_url)
    return found


def preview_job(job: ImportJob, *, ref: Reference, settings: JobSettings, rows: int = 10):
    """Parse the first rows of an uploaded file, to show before importing it."""
    _, records, errors = preview(job.format, job.stored_path, ref, data_dir=settings.data_dir,
                                 max_bytes=settings.max_bytes, rows=rows)
    return records, errors


def start_job(session: Session, *, user: User, job_id: int, skip_invalid: bool, dry_run: bool,
              settings: JobSettings, background: bool) -> ImportJob:
    """Queue an uploaded file for import: in the background, or now for a small file."""
    job = get_job(session, user=user, job_id=job_id)
    if job.status == "expired":
        raise CoopmatchError(job.message)
    if job.status != "uploaded":
        raise CoopmatchError("This import has already started.")
    job.skip_invalid, job.dry_run, job.status = skip_invalid, dry_run, "queued"
    job.message, job.started_at = "", utcnow()
    if background and settings.redis_url and _queued(session, job, settings):
        session.refresh(job)
        return job
    _run_here(job)
    session.commit()
    if background:
        threading.Thread(target=run_import_job, args=(job.id, asdict(settings)),
                         name=f"import-{job.id}", daemon=True).start()
    else:
        run_import_job(job.id, asdict(settings))
    session.refresh(job)
    return job


def _queued(session: Session, job: ImportJob, settings: JobSettings) -> bool:
    """Queue the job for the import workers; False (the job then runs in this process) when
    Redis cannot be reached, so that an upload is never left waiting for a queue."""
    from redis import RedisError

    rq_id = f"coopmatch-import-{job.id}-{uuid.uuid4().hex[:6]}"
    job.runner = f"rq:{rq_id}"
    session.commit()  # before a worker can pick it up
    try:
        _rq_queue(settings.redis_url).enqueue(
            run_import_job, job.id, asdict(settings),
            job_timeout=int(JOB_TIMEOUT.total_seconds()), job_id=rq_id)
    except RedisError as error:
        _redis_down(error)
        return False
    return True


# --- runners -----------------------------------------------------------------------------------
# A started import is run by a web process (in the request or a thread) or by an RQ worker. Its
# runner is recorded on the job so that a page showing it can tell when the runner has stopped.

_running_here: set[int] = set()
_running_lock = threading.Lock()
_tokens: dict[int, str] = {}  # one per process id: a forked worker gets its own


def this_process() -> str:
    """This process, as a runner: host, process id and a token telling this process from a
    later one given the same id (its start time where the system says, else a random one)."""
    pid = os.getpid()
    token = _tokens.setdefault(pid, _started(pid) or uuid.uuid4().hex[:12])
    return f"{socket.gethostname()}:{pid}:{token}"


def _started(pid: int) -> str | None:
    """When a process started (Linux: clock ticks since boot, from /proc), or None."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return f"t{fields[19]}" if len(fields) > 19 else None  # field 22 of stat: starttime


def _run_here(job: ImportJob) -> None:
    job.runner = f"process:{this_process()}"
    with _running_lock:
        _running_here.add(job.id)


def _runner_stopped(job: ImportJob, redis_url: str) -> bool:
    kind, _, who = job.runner.partition(":")
    started = _aware(job.started_at or job.created_at)
    stopped = None  # cannot tell
    if kind == "process":
        stopped = _process_stopped(job.id, who)
    elif kind == "rq":
        stopped = _rq_job_stopped(who, redis_url, started)
    if stopped is None:
        # A runner that cannot be seen from here (another machine's process, or Redis not
        # reachable): stopped once it has run longer than any import is allowed to.
        return utcnow() - started > JOB_TIMEOUT
    return stopped


def _process_stopped(job_id: int, who: str) -> bool | None:
    parts = who.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    host, pid, _token = parts
    if who == this_process():
        with _running_lock:
            return job_id not in _running_here
    if host != socket.gethostname():
        return None  # another machine's process cannot be seen from here
    if int(pid) == os.getpid():
        return True  # this process id with another token: the process was replaced
    try:
        os.kill(int(pid), 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # it exists, run by another user
    # A process has this id: the runner, or a later one given its id (after a restart, a new
    # server's workers take the same ids), told apart by when it started.
    started = _started(int(pid))
    return started is not None and _token.startswith("t") and started != _token


def _rq_queue(redis_url: str):
    from redis import Redis
    from rq import Queue

    return Queue(QUEUE_NAME, connection=Redis.from_url(redis_url))


def _rq_job_stopped(rq_id: str, redis_url: str, started: datetime) -> bool | None:
    """Whether RQ no longer runs or holds the job: gone, or ended without the job recording
    how (a worker killed, or past the time limit). None when Redis cannot be asked."""
    if not redis_url:
        return None
    from redis import RedisError
    from rq.exceptions import NoSuchJobError
    from rq.job import Job, JobStatus

    try:
        queue = _rq_queue(redis_url)
        queue.started_job_registry.cleanup()  # fails the jobs of workers that died
        try:
            status = Job.fetch(rq_id, connection=queue.connection).get_status()
        except NoSuchJobError:
            # Recorded on the job just before it is queued: not yet in Redis is not gone.
            return utcnow() - started > ENQUEUE_GRACE
    except RedisError as error:
        _redis_down(error)
        return None
    return status in (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED,
                      JobStatus.CANCELED)


def _waiting(job: ImportJob, redis_url: str) -> dict | None:
    """What a queued job waits for, when no import worker is running to take it."""
    if not (redis_url and job.runner.startswith("rq:")):
        return None
    from redis import RedisError
    from rq import Worker

    try:
        queue = _rq_queue(redis_url)
        if Worker.count(queue=queue):
            return None
    except RedisError:
        return None
    if f"no worker {job.id}" not in _warned:  # once a job, not at every poll of its page
        _warned.add(f"no worker {job.id}")
        log.warning("Import job %s is queued and no import worker is running: start one with "
                    "'coopmatch worker'.", job.id)
    return {"stage": "waiting for an import worker: none is running just now, so tell whoever "
                     "runs coopmatch", "fraction": 0.0}


def _put_back_if_stopped(session: Session, job: ImportJob, redis_url: str) -> None:
    """Put a started job whose runner stopped back to be started again (or, with its upload
    gone, mark it failed), unless it has meanwhile finished."""
    if job.status not in ("queued", "running") or not _runner_stopped(job, redis_url):
        return
    if all(path.exists() for path in _stored_files(job)):
        status, message, finished = "uploaded", f"{STOPPED} {START_AGAIN}", None
    else:
        status, message, finished = "failed", f"{STOPPED} {UPLOAD_AGAIN}", utcnow()
    moved = session.execute(
        update(ImportJob)
        .where(ImportJob.id == job.id, ImportJob.status == job.status,
               ImportJob.runner == job.runner)
        .values(status=status, message=message, runner="", finished_at=finished))
    session.commit()
    if moved.rowcount:
        log.warning("Import job %s stopped with its runner (%s): %s", job.id, job.runner,
                    "put back to be started again" if status == "uploaded" else "its file is gone")
    session.refresh(job)


# --- running -----------------------------------------------------------------------------------


def run_import_job(job_id: int, settings: dict) -> str:
    """Run one import job to the end and record its outcome (the RQ and thread entry point)."""
    from coopmatch.db import make_engine

    settings = JobSettings(**settings)
    engine = make_engine(settings.database_url)
    ref = Reference.from_settings(settings.data_dir, settings.cache_dir)
    progress = progress_store(settings.redis_url)
    stored: list[Path] = []  # the uploaded files, deleted at the end
    try:
        with Session(engine, expire_on_commit=False) as session:
            job = session.get(ImportJob, job_id)
            if job.status != "queued":
                # Put back to be started again (its runner was taken to have stopped) or
                # started elsewhere meanwhile: this run is not the one the page shows.
                log.warning("Import job %s is %s, not queued: not run again here.", job_id,
                            job.status)
                return "skipped"
            user = session.get(User, job.user_id)
            stored = _stored_files(job)
            job.status = "running"
            session.commit()
            restrict = (session.get(Organisation, user.organisation_id)
                        if user.role == "procurement" else None)
            options = ImportOptions(skip_invalid=job.skip_invalid, dry_run=job.dry_run,
                                    restrict_to_buyer=restrict, user=user)

            shown = [0.0]

            def report(stage: str, done: int, total: int | None) -> None:
                # Reading is the first half of the bar, saving the second; a stage of unknown
                # length (resolving names) leaves the bar where it is.
                if total:
                    shown[0] = done / total / 2 + (0.5 if stage == "saving" else 0.0)
                progress.set(job_id, stage, shown[0])

            try:
                if job.kind == LOCATE:
                    _locate(session, job, user, settings, ref, report, progress)
                    return "finished"
                if job.format == LEDGER:
                    summary = spend.import_ledgers(
                        session, anchor=session.get(Organisation, job.anchor_id),
                        paths=stored, skip_invalid=job.skip_invalid,
                        dry_run=job.dry_run, max_bytes=settings.max_bytes, user=user,
                        columns=_ledger_columns(job),
                        progress=report, ref=ref)
                else:
                    summary = import_file(
                        session, fmt=job.format, path=job.stored_path, ref=ref,
                        options=options, data_dir=settings.data_dir,
                        max_bytes=settings.max_bytes, progress=report,
                        source_name=job.filename, rejected_dir=Path(job.stored_path).parent)
            except ImportRejected as error:
                _finish(session, job_id, "rejected", error.message,
                        {"errors": error.to_dict()["rows"][:500],
                         "skipping_imports": error.skipping_imports})
            except CoopmatchError as error:
                _finish(session, job_id, "rejected", error.message, {})
            else:
                if isinstance(summary, ImportSummary) and not job.dry_run and summary.changed:
                    progress.set(job_id, "updating the match index", 1.0)
                    _refresh_indexes(session, settings, ref)
                _finish(session, job_id, "done", summary.summary(), summary.as_dict())
    except Exception as error:  # a job must always end with a status the user can see
        log.exception("Import job %s failed", job_id)
        with Session(engine) as session:
            _finish(session, job_id, "failed",
                    f"The import failed and nothing was saved ({type(error).__name__}).", {})
    finally:
        with _running_lock:
            _running_here.discard(job_id)
        progress.set(job_id, "finished", 1.0)
        # Imported (or refused): the files are not needed again; rejected rows stay.
        for path in stored:
            path.unlink(missing_ok=True)
        engine.dispose()
    return "finished"


def _locate(session: Session, job: ImportJob, user: User, settings: JobSettings,
            ref: Reference, report, progress) -> None:
    """Run a job that places suppliers from its file, and record what it placed."""
    from coopmatch.services import suppliers

    located, errors = suppliers.locate_from_file(
        session, path=job.stored_path, fmt=job.format, ref=ref, user=user,
        source=job.filename, data_dir=settings.data_dir, max_bytes=settings.max_bytes,
        dry_run=job.dry_run, progress=report)
    if located.placed and not job.dry_run:
        progress.set(job.id, "updating the match index", 1.0)
        _refresh_indexes(session, settings, ref)
    verb = "Would place" if job.dry_run else "Placed"
    _finish(session, job.id, "done",
            f"{verb} {len(located.placed):,} of the {located.unplaced:,} suppliers with a "
            f"company's name and no postcode, where {job.filename} puts the same company.",
            {"located": {"placed": located.placed, "unplaced": located.unplaced},
             "unread_rows": len(errors), "first_unread": str(errors[0]) if errors else ""})


def _refresh_indexes(session: Session, settings: JobSettings, ref: Reference) -> None:
    """Update the match indexes for what was imported; a failure here leaves them to be
    brought up to date by the next match, and the import stands."""
    if not settings.index_dir:
        return
    from coopmatch.services import matching

    try:
        matching.refresh_indexes(session, matching.MatchSettings(
            index_dir=settings.index_dir, weights=dict(settings.match_weights or {}),
            database_url=settings.database_url), ref)
    except Exception:  # noqa: BLE001 - the import is done; the index can wait
        log.exception("Updating the match index after import job failed")
        session.rollback()


def _stored_files(job: ImportJob) -> list[Path]:
    """Return the uploaded files a job imports: a ledger upload's several, or the one."""
    return _ledger_paths(job) if job.format == LEDGER else [Path(job.stored_path)]


def _ledger_paths(job: ImportJob) -> list[Path]:
    """Return the files of a ledger upload, in the order they were chosen."""
    try:
        names = (json.loads(job.result or "{}").get("preview") or {}).get("files")
    except ValueError:
        names = None
    folder = Path(job.stored_path).parent
    return [folder / n for n in names] if names else [Path(job.stored_path)]


def _ledger_columns(job: ImportJob) -> dict[str, str] | None:
    """Return the columns the user named when uploading a ledger (None when none were)."""
    try:
        preview = json.loads(job.result or "{}").get("preview") or {}
    except ValueError:
        return None
    return preview.get("columns") or None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite drops the zone


def clean_uploads(session: Session, *, days: int = RETENTION_DAYS,
                  now: datetime | None = None) -> int:
    """Delete the folders of uploads never imported, and of imports finished, `days` ago.

    A job whose upload was never imported is marked expired; a finished job keeps its record
    and summary, losing only its rejected rows' CSV. Returns how many folders were deleted.
    """
    cutoff = (now or utcnow()) - timedelta(days=days)
    stale = session.exec(select(ImportJob).where(
        ImportJob.status.in_(["uploaded", "done", "rejected", "failed"]))).all()
    deleted = 0
    for job in stale:
        when = _aware(job.finished_at or job.created_at)
        folder = Path(job.stored_path).parent
        if when >= cutoff or not folder.exists():
            continue
        shutil.rmtree(folder, ignore_errors=True)
        deleted += 1
        if job.status == "uploaded":
            job.status = "expired"
            job.message = (f"This upload was not imported within {days} days and has been "
                           "deleted: upload the file again to import it.")
            job.finished_at = utcnow()
    session.commit()
    return deleted


def _finish(session: Session, job_id: int, status: str, message: str, result: dict) -> None:
    session.rollback()
    job = session.get(ImportJob, job_id)
    job.status, job.message = status, message
    job.result = json.dumps(result, default=str)
    job.finished_at = utcnow()
    session.commit()


def job_result(job: ImportJob) -> dict:
    return json.loads(job.result) if job.result else {}


def changed_notices(session: Session, job: ImportJob) -> tuple[list[Tender], int]:
    """The notices a finished import created or updated that its summary lists (the first
    ones, `CHANGED_NOTICES_LISTED`), and how many more it changed; none for a dry run."""
    result = job_result(job)
    if job.status != "done" or job.dry_run or not result.get("changed_notices"):
        return [], 0
    listed = tenders.tenders_by_ocid(session=session, ocids=result["changed_notices"])
    counts = result.get("counts", {}).get("notices", {})
    return listed, counts.get("created", 0) + counts.get("updated", 0) - len(listed)
