"""Import jobs on a real RQ queue in Redis (the machine's Redis, as in production)."""

import io
import os
import time
import uuid

import pytest
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import func
from sqlmodel import select

from coopmatch.models import ImportJob, Supplier
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
