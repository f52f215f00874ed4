"""Import jobs on a real RQ queue in Redis (the machine's Redis, as in production)."""

import io
import os
import socket
import subprocess
import sys
import textwrap
import time
import uuid
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue, SimpleWorker
from rq.job import Job
from sqlalchemy import func
from sqlmodel import select

from coopmatch.models import ImportJob, Supplier, utcnow
from coopmatch.services import jobs
from tests.factories import create_user

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _uploaded_register(session, ref, data_dir, cache_dir, database_url, tmp_path,
                       redis_url: str):
    """An agency's upload of a two-supplier register, and the job settings to import it."""
    agency = create_user(session, role="agency")
    settings = jobs.JobSettings(database_url=database_url, data_dir=str(data_dir),
                                cache_dir=str(cache_dir), max_bytes=10_000_000,
                                redis_url=redis_url)
    register = b"name,postcode\nPreston Cleaning Co-op,PR1 2HE\nLune Food Hub,LA1 1DW\n"
    job = jobs.create_upload(session, user=agency, stream=io.BytesIO(register),
                             filename="register.csv", fmt=None, upload_dir=str(tmp_path),
                             max_bytes=settings.max_bytes, ref=ref, data_dir=str(data_dir))
    return agency, settings, job


def test_a_job_runs_on_an_rq_worker_and_reports_progress_through_redis(
        app, session, ref, data_dir, cache_dir, database_url, tmp_path):
    redis = Redis.from_url(REDIS_URL)
    redis.ping()  # Redis is part of the machine; a failure here is a real failure
    queue_name = f"{jobs.QUEUE_NAME}-test-{uuid.uuid4().hex[:6]}"
    agency, settings, job = _uploaded_register(session, ref, data_dir, cache_dir,
                                               database_url, tmp_path, REDIS_URL)
    original = jobs.QUEUE_NAME
    jobs.QUEUE_NAME = queue_name
    try:
        jobs.start_job(session, user=agency, job_id=job.id, skip_invalid=False, dry_run=False,
                       settings=settings, background=True)
    finally:
        jobs.QUEUE_NAME = original
    session.refresh(job)
    assert job.status == "queued"
    assert Queue(queue_name, connection=redis).count == 1
    SimpleWorker([Queue(queue_name, connection=redis)], connection=redis).work(burst=True)
    session.expire_all()
    job = session.get(ImportJob, job.id)
    assert job.status == "done", job.message
    assert session.exec(select(func.count()).select_from(Supplier)).one() == 2
    progress = jobs.progress_store(REDIS_URL).get(job.id)
    assert progress == {"stage": "finished", "fraction": 1.0}


def test_with_redis_unreachable_a_job_runs_in_this_process_and_reports_progress(
        session, ref, data_dir, cache_dir, database_url, tmp_path, caplog, monkeypatch):
    down = "redis://127.0.0.1:1/0"  # nothing listens on port 1: Redis is down
    monkeypatch.setattr(jobs, "_warned", set())  # warned once per process: this one anew
    agency, settings, job = _uploaded_register(session, ref, data_dir, cache_dir,
                                               database_url, tmp_path, down)
    with caplog.at_level("WARNING", logger="coopmatch.services.jobs"):
        jobs.start_job(session, user=agency, job_id=job.id, skip_invalid=False,
                       dry_run=False, settings=settings, background=True)
        deadline = time.time() + 120
        while time.time() < deadline:
            session.expire_all()
            if session.get(ImportJob, job.id).status not in {"queued", "running"}:
                break
            time.sleep(0.2)
    job = session.get(ImportJob, job.id)
    assert job.status == "done", job.message  # not left queued for a queue no one reads
    assert session.exec(select(func.count()).select_from(Supplier)).one() == 2
    assert jobs.progress_store(down).get(job.id) == {"stage": "finished", "fraction": 1.0}
    assert any("Redis cannot be reached" in r.getMessage() for r in caplog.records)


def test_a_job_that_crashes_ends_failed_with_nothing_saved(session, ref, data_dir, tmp_path,
                                                          database_url, cache_dir):
    agency = create_user(session, role="agency")
    path = tmp_path / "register.csv"
    path.write_text("name\nA Co-op\n")
    job = ImportJob(user_id=agency.id, format="suppliers", filename="register.csv",
                    stored_path=str(path), size_bytes=10, status="queued")
    session.add(job)
    session.commit()
    path.unlink()  # the stored file has gone: the job must fail cleanly
    settings = jobs.JobSettings(database_url=database_url, data_dir=str(data_dir),
                                cache_dir=str(cache_dir), max_bytes=1_000_000)
    jobs.run_import_job(job.id, settings.__dict__)
    session.expire_all()
    job = session.get(ImportJob, job.id)
    assert job.status in {"failed", "rejected"} and job.finished_at is not None
    assert session.exec(select(func.count()).select_from(Supplier)).one() == 0


@pytest.fixture(autouse=True)
def _clean_redis():
    yield
    redis = Redis.from_url(REDIS_URL)
    for key in redis.scan_iter("coopmatch:*"):
        redis.delete(key)


def test_a_full_disk_refuses_the_upload_in_words():
    from pathlib import Path

    from coopmatch.errors import Unavailable

    with pytest.raises(Unavailable) as caught:  # /dev/full: every write finds the disk full
        jobs._save_limited(io.BytesIO(b"name\nA Co-op\n" * 1000), Path("/dev/full"), 10**6)
    assert caught.value.message.startswith(
        "The server cannot store the file just now (No space left on device).")
    assert caught.value.status_code == 503 and caught.value.field == "file"


# --- a runner that stops ------------------------------------------------------------------------


def _started_job(session, tmp_path, *, runner: str, status: str = "running",
                 started_hours_ago: float = 0):
    agency = create_user(session, role="agency")
    path = tmp_path / "register.csv"
    path.write_bytes(b"name,postcode\nPreston Cleaning Co-op,PR1 2HE\n")
    job = ImportJob(user_id=agency.id, format="suppliers", filename="register.csv",
                    stored_path=str(path), size_bytes=path.stat().st_size, status=status,
                    runner=runner, started_at=utcnow() - timedelta(hours=started_hours_ago))
    session.add(job)
    session.commit()
    return agency, job


def test_an_import_whose_server_stopped_is_put_back_to_start_again_with_nothing_lost(
        session, ref, data_dir, cache_dir, database_url, tmp_path):
    agency, settings, job = _uploaded_register(session, ref, data_dir, cache_dir,
                                               database_url, tmp_path, redis_url="")
    # Another process starts the import in a background thread, then stops at once, as a web
    # server does on a restart or a deploy: the thread dies with it.
    script = textwrap.dedent(f"""
        import os
        from sqlmodel import Session
        from coopmatch.db import make_engine
        from coopmatch.models import User
        from coopmatch.services import jobs
        settings = jobs.JobSettings(**{asdict(settings)!r})
        with Session(make_engine(settings.database_url)) as session:
            user = session.get(User, {agency.id})
            jobs.start_job(session, user=user, job_id={job.id}, skip_invalid=False,
                           dry_run=False, settings=settings, background=True)
        os._exit(0)
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120,
                   cwd=Path(__file__).parents[2])
    session.expire_all()
    job = session.get(ImportJob, job.id)
    assert job.status in {"queued", "running"} and job.runner.startswith("process:")

    job, progress = jobs.follow_job(session, user=agency, job_id=job.id)
    assert job.status == "uploaded" and job.runner == "" and job.finished_at is None
    assert job.message.startswith("The import stopped before it finished")
    assert "start it again" in job.message
    assert session.exec(select(func.count()).select_from(Supplier)).one() == 0

    jobs.start_job(session, user=agency, job_id=job.id, skip_invalid=False, dry_run=False,
                   settings=settings, background=False)
    session.expire_all()
    job = session.get(ImportJob, job.id)
    assert job.status == "done", job.message
    assert session.exec(select(func.count()).select_from(Supplier)).one() == 2


def test_an_import_whose_runner_is_alive_is_left_to_run(session, tmp_path):
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        runner = f"process:{socket.gethostname()}:{alive.pid}:{jobs._started(alive.pid)}"
        agency, job = _started_job(session, tmp_path, runner=runner)
        job, _ = jobs.follow_job(session, user=agency, job_id=job.id)
        assert job.status == "running" and job.runner == runner
        assert [j.status for j in jobs.list_jobs(session, user=agency)] == ["running"]
    finally:
        alive.kill()
        alive.wait()
    # Once that process has gone, the list of imports shows the job ready to start again.
    assert [j.status for j in jobs.list_jobs(session, user=agency)] == ["uploaded"]


def test_a_process_id_reused_by_a_later_process_is_not_taken_for_the_runner(session, tmp_path):
    # After a restart a new server's workers are given the ids the old ones had: alive, but
    # started later than the runner recorded.
    later = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        started = jobs._started(later.pid)
        assert started and started.startswith("t")  # Linux says when a process started
        earlier = f"t{int(started[1:]) - 500}"
        agency, job = _started_job(
            session, tmp_path, runner=f"process:{socket.gethostname()}:{later.pid}:{earlier}")
        assert jobs.follow_job(session, user=agency, job_id=job.id)[0].status == "uploaded"
    finally:
        later.kill()
        later.wait()


def test_a_process_id_reused_by_this_process_is_not_taken_for_the_runner(session, tmp_path):
    runner = f"process:{socket.gethostname()}:{os.getpid()}:0ldt0ken"
    agency, job = _started_job(session, tmp_path, runner=runner, status="queued")
    job, _ = jobs.follow_job(session, user=agency, job_id=job.id)
    assert job.status == "uploaded"


def test_a_runner_on_another_machine_is_trusted_until_the_time_limit(session, tmp_path):
    elsewhere = "process:web-2.internal:4242:0ther0ne"
    agency, recent = _started_job(session, tmp_path, runner=elsewhere)
    assert jobs.follow_job(session, user=agency, job_id=recent.id)[0].status == "running"
    owner, old = _started_job(session, tmp_path, runner=elsewhere, started_hours_ago=7)
    assert jobs.follow_job(session, user=owner, job_id=old.id)[0].status == "uploaded"


def test_a_stopped_import_whose_file_is_gone_asks_for_the_file_again(session, tmp_path):
    agency, job = _started_job(session, tmp_path, runner="process:web-2.internal:1:x",
                               started_hours_ago=7)
    Path(job.stored_path).unlink()
    job, _ = jobs.follow_job(session, user=agency, job_id=job.id)
    assert job.status == "failed" and job.finished_at is not None
    assert job.message.endswith("Its file is no longer here: upload it again.")


def test_a_finished_import_is_never_put_back(session, tmp_path):
    agency, job = _started_job(session, tmp_path, runner="process:web-2.internal:1:x",
                               status="done", started_hours_ago=30)
    assert jobs.follow_job(session, user=agency, job_id=job.id)[0].status == "done"


def test_a_queued_import_says_when_no_worker_runs_and_is_put_back_when_rq_loses_it(
        session, ref, data_dir, cache_dir, database_url, tmp_path, monkeypatch):
    redis = Redis.from_url(REDIS_URL)
    monkeypatch.setattr(jobs, "QUEUE_NAME", f"{jobs.QUEUE_NAME}-test-{uuid.uuid4().hex[:6]}")
    monkeypatch.setattr(jobs, "_memory", jobs.MemoryProgress())  # other tests' job ids
    agency, settings, job = _uploaded_register(session, ref, data_dir, cache_dir,
                                               database_url, tmp_path, REDIS_URL)
    jobs.start_job(session, user=agency, job_id=job.id, skip_invalid=False, dry_run=False,
                   settings=settings, background=True)
    job, progress = jobs.follow_job(session, user=agency, job_id=job.id, redis_url=REDIS_URL)
    assert job.status == "queued" and job.runner.startswith("rq:")
    assert progress["stage"].startswith("waiting for an import worker: none is running")

    Job.fetch(job.runner.removeprefix("rq:"), connection=redis).delete()  # e.g. Redis flushed
    job.started_at = utcnow() - timedelta(minutes=2)  # queued a while ago, not just now
    session.commit()
    job, _ = jobs.follow_job(session, user=agency, job_id=job.id, redis_url=REDIS_URL)
    assert job.status == "uploaded" and "start it again" in job.message
    Queue(jobs.QUEUE_NAME, connection=redis).delete(delete_jobs=True)


def test_a_job_rq_still_holds_is_left_queued_however_long_it_waits(
        session, ref, data_dir, cache_dir, database_url, tmp_path, monkeypatch):
    redis = Redis.from_url(REDIS_URL)
    monkeypatch.setattr(jobs, "QUEUE_NAME", f"{jobs.QUEUE_NAME}-test-{uuid.uuid4().hex[:6]}")
    agency, settings, job = _uploaded_register(session, ref, data_dir, cache_dir,
                                               database_url, tmp_path, REDIS_URL)
    jobs.start_job(session, user=agency, job_id=job.id, skip_invalid=False, dry_run=False,
                   settings=settings, background=True)
    job.started_at = utcnow() - timedelta(hours=7)  # a long queue ahead of it
    session.commit()
    assert jobs.follow_job(session, user=agency, job_id=job.id,
                           redis_url=REDIS_URL)[0].status == "queued"
    Queue(jobs.QUEUE_NAME, connection=redis).delete(delete_jobs=True)


def test_a_job_just_recorded_for_rq_is_not_taken_for_lost_before_it_is_queued(session,
                                                                             tmp_path):
    agency, job = _started_job(session, tmp_path, runner="rq:coopmatch-import-1-abcdef",
                               status="queued")
    job, _ = jobs.follow_job(session, user=agency, job_id=job.id, redis_url=REDIS_URL)
    assert job.status == "queued"
    job.started_at = utcnow() - timedelta(minutes=2)
    session.commit()
    job, _ = jobs.follow_job(session, user=agency, job_id=job.id, redis_url=REDIS_URL)
    assert job.status == "uploaded"


def test_a_job_put_back_is_not_run_by_a_worker_that_picks_it_up_late(
        session, ref, data_dir, cache_dir, database_url, tmp_path):
    agency, settings, job = _uploaded_register(session, ref, data_dir, cache_dir,
                                               database_url, tmp_path, redis_url="")
    assert jobs.run_import_job(job.id, asdict(settings)) == "skipped"
    session.expire_all()
    assert session.get(ImportJob, job.id).status == "uploaded"
    assert session.exec(select(func.count()).select_from(Supplier)).one() == 0
