from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_login import current_user

from coopmatch.db import get_session
from coopmatch.errors import CoopmatchError
from coopmatch.models import IMPORT_JOB_STATUSES, Organisation
from coopmatch.reference import current as reference
from coopmatch.services import jobs
from coopmatch.web.access import roles_required
from coopmatch.web.imports import bp
from coopmatch.web.imports.forms import StartForm, UploadForm


def job_settings() -> jobs.JobSettings:
    config = current_app.config
    return jobs.JobSettings(
        database_url=config["DATABASE_URL"], data_dir=config.get("COOPMATCH_DATA_DIR") or None,
        cache_dir=config.get("CACHE_DIR"), max_bytes=config["IMPORT_MAX_BYTES"],
        redis_url=config.get("REDIS_URL", ""), index_dir=config["INDEX_DIR"],
        match_weights=dict(config["MATCH_WEIGHTS"]))


def _job_or_abort(job_id: int, find=jobs.get_job, **kwargs):
    """The job (as `find` returns it) if the user may see it, else the error's status."""
    try:
        return find(get_session(), user=current_user, job_id=job_id, **kwargs)
    except CoopmatchError as error:
        abort(error.status_code)


@bp.route("/", methods=["GET", "POST"])
@roles_required("procurement", "agency")
def index():
    session = get_session()
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            job = jobs.create_upload(
                session, user=current_user, stream=upload.stream, filename=upload.filename,
                fmt=form.format.data or None, upload_dir=current_app.config["UPLOAD_DIR"],
                max_bytes=current_app.config["IMPORT_MAX_BYTES"], ref=reference(),
                data_dir=current_app.config.get("COOPMATCH_DATA_DIR") or None)
        except CoopmatchError as error:
            session.rollback()
            form.refuse(error)
        else:
            return redirect(url_for("imports.detail", job_id=job.id))
    return render_template("imports/index.html", form=form,
                           jobs=jobs.list_jobs(
                               session, user=current_user,
                               redis_url=current_app.config.get("REDIS_URL", "")),
                           statuses=IMPORT_JOB_STATUSES), form.page_status


@bp.route("/<int:job_id>", methods=["GET"])
@roles_required("procurement", "agency")
def detail(job_id: int):
    job, progress = _job_or_abort(job_id, jobs.follow_job,
                                  redis_url=current_app.config.get("REDIS_URL", ""))
    records, errors, problem = [], [], None
    # A payment ledger was read through at upload and its preview kept on the job.
    if job.status == "uploaded" and job.format != jobs.LEDGER:
        try:
            records, errors = jobs.preview_job(job, ref=reference(), settings=job_settings())
        except CoopmatchError as error:
            problem = error.message
    anchor = get_session().get(Organisation, job.anchor_id) if job.anchor_id else None
    changed, more = jobs.changed_notices(get_session(), job)
    return render_template("imports/detail.html", job=job, form=StartForm(), records=records,
                           errors=errors, problem=problem, result=jobs.job_result(job),
                           anchor=anchor, progress=progress, statuses=IMPORT_JOB_STATUSES,
                           changed_notices=changed, more_notices=more)


@bp.post("/<int:job_id>/start")
@roles_required("procurement", "agency")
def start(job_id: int):
    job = _job_or_abort(job_id)
    form = StartForm()
    if not form.validate_on_submit():
        abort(400)
    background = job.size_bytes > current_app.config["IMPORT_BACKGROUND_BYTES"]
    try:
        jobs.start_job(get_session(), user=current_user, job_id=job.id,
                       skip_invalid=form.skip_invalid.data, dry_run=form.dry_run.data,
                       settings=job_settings(), background=background)
    except CoopmatchError as error:
        flash(error.message, "error")
    return redirect(url_for("imports.detail", job_id=job.id))


@bp.get("/<int:job_id>/rejected.csv")
@roles_required("procurement", "agency")
def rejected_rows(job_id: int):
    job = _job_or_abort(job_id)
    path = jobs.job_result(job).get("rejected_file")
    if not path:
        abort(404)
    if not Path(path).exists():
        flash(f"The rejected rows are kept for {jobs.RETENTION_DAYS} days after an import and "
              "have been deleted: import the file again to get them.", "error")
        return redirect(url_for("imports.detail", job_id=job.id))
    return send_file(path, mimetype="text/csv", as_attachment=True,
                     download_name=f"{job.filename}.rejected.csv")
