"""Importing through the web: upload, preview, import, summary; and who may."""

import html
import io
import socket
import subprocess
import sys
import time

from sqlalchemy import func
from sqlmodel import select

from coopmatch.models import ImportJob, Supplier, Tender
from tests.factories import create_organisation, create_user

REGISTER = ("name,postcode,ownership,cpv_codes\n"
            "Preston Cleaning Co-op,PR1 2HE,worker_coop,90910000\n"
            "Lune Valley Food Hub,LA1 1DW,multi_stakeholder_coop,15000000\n")


def upload(client, content: str | bytes, filename="register.csv", fmt=""):
    data = content.encode() if isinstance(content, str) else content
    return client.post("/imports/", {"file": (io.BytesIO(data), filename), "format": fmt},
                       content_type="multipart/form-data")


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def wait_for(client, job_id: int, timeout: float = 120) -> dict:
    """Poll the progress API until the import has finished (it may run in the background)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        status = client.get(f"/api/imports/{job_id}").get_json()
        if status["finished"]:
            return status
        time.sleep(0.3)
    raise AssertionError(f"import {job_id} did not finish: {status}")


def test_agency_uploads_a_register_previews_it_and_imports_it(app, client, session, ref):
    agency = create_user(session, role="agency")
    client.sign_in(agency.email)
    response = upload(client, REGISTER)
    assert response.status_code == 302
    preview = text(client.get(response.headers["Location"]))
    assert "The first rows" in preview and "Preston Cleaning Co-op" in preview
    assert "suppliers" in preview  # the recognised format
    assert session.exec(select(func.count()).select_from(Supplier)).one() == 0
    job = session.exec(select(ImportJob)).one()
    assert f'action="/imports/{job.id}/start"' in preview and "Dry run" in preview
    done = client.post(f"/imports/{job.id}/start", {})
    assert done.status_code == 302
    page = text(client.get(done.headers["Location"]))
    assert "Imported" in page and "2 created" in page
    assert session.exec(select(func.count()).select_from(Supplier)).one() == 2
    # The job brought the match index up to date and saved it: the first match afterwards, in
    # any process, loads it rather than building it.
    from coopmatch.services import matching
    from coopmatch.web.matching import match_settings

    with app.app_context():
        fresh = matching.Indexes(match_settings(), ref)
    assert fresh._saved_fingerprint() == matching.register_fingerprint(session)
    assert fresh.supplier_index(session).size == 2


def test_rejected_upload_lists_rows_and_stores_nothing(client, session):
    agency = create_user(session, role="agency")
    client.sign_in(agency.email)
    response = upload(client, REGISTER + "Nowhere Co-op,ZZ,sme,\n")
    job_url = response.headers["Location"]
    job = session.exec(select(ImportJob)).one()
    # The box the advice below names is the one on this page.
    assert "Import the good rows and list the rejected ones" in text(client.get(job_url))
    client.post(f"/imports/{job.id}/start", {})
    page = text(client.get(job_url))
    assert "Nothing was imported" in page and "line 4, postcode" in page
    assert session.exec(select(func.count()).select_from(Supplier)).one() == 0
    # It says how to import the good rows here (not the command line's --skip-invalid).
    assert ('To import the good rows only,\n    <a href="/imports/">upload the file again</a>\n'
            '    and tick “Import the good rows and list the rejected ones”') in page
    assert "--skip-invalid" not in page


def test_a_refusal_with_nothing_good_does_not_offer_the_good_rows(client, session):
    agency = create_user(session, role="agency")
    client.sign_in(agency.email)
    response = upload(client, "name,postcode\nNowhere Co-op,ZZ\n")
    job = session.exec(select(ImportJob)).one()
    client.post(f"/imports/{job.id}/start", {})
    page = text(client.get(response.headers["Location"]))
    assert "Nothing was imported: 1 row has problems. Fix it and import again.\n" in page
    assert "To import" not in page and "skip-advice" not in page


def test_an_upload_the_server_cannot_store_is_refused_in_words(app, client, session,
                                                              tmp_path, monkeypatch):
    agency = create_user(session, role="agency")
    client.sign_in(agency.email)
    not_a_folder = tmp_path / "uploads"
    not_a_folder.write_text("a file where the upload folder should be")
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(not_a_folder))
    response = upload(client, REGISTER)
    assert response.status_code == 503  # the server's trouble, not the file's
    assert ("The server cannot store the file just now (Not a directory). Nothing was "
            "imported: try again later, or tell the administrator.") in text(response)
    assert session.exec(select(ImportJob)).all() == []


def test_an_unrecognised_file_is_refused_at_upload(client, session):
    agency = create_user(session, role="agency")
    client.sign_in(agency.email)
    response = upload(client, "just,some,columns\n1,2,3\n", filename="mystery.csv")
    assert response.status_code == 400
    assert "layout was not recognised" in text(response)
    assert session.exec(select(ImportJob)).all() == []


def test_buyers_import_only_notices_of_their_own_organisation(client, session, ref, data_dir):
    preston = create_organisation(session, ref, name="Preston City Council")
    officer = create_user(session, role="procurement", organisation=preston)
    client.sign_in(officer.email)
    refused = upload(client, REGISTER)
    assert refused.status_code == 400
    assert "Buyers can import their own organisation's notices" in text(refused)
    notices = (data_dir / "procurement-data/lancashire-contracts-finder/"
               "lancashire_councils_cf_notices.csv").read_bytes()
    response = upload(client, notices, filename="lancashire.csv")
    job = session.exec(select(ImportJob)).one()
    client.post(f"/imports/{job.id}/start", {"skip_invalid": "y"})
    wait_for(client, job.id)
    page = text(client.get(response.headers["Location"]))
    assert "86 created" in page and "not Preston City Council" in page
    assert {t.buyer_id for t in session.exec(select(Tender))} == {preston.id}


def test_suppliers_and_strangers_cannot_import_or_see_imports(client, session):
    agency = create_user(session, role="agency")
    client.sign_in(agency.email)
    upload(client, REGISTER)
    job = session.exec(select(ImportJob)).one()
    client.sign_out()
    supplier = create_user(session, role="supplier")
    client.sign_in(supplier.email)
    assert upload(client, REGISTER).status_code == 403
    assert client.post(f"/imports/{job.id}/start", {}).status_code == 403
    client.sign_out()
    other_agency = create_user(session, role="agency")
    client.sign_in(other_agency.email)
    assert client.get(f"/imports/{job.id}").status_code == 403
    assert client.post(f"/imports/{job.id}/start", {}).status_code == 403
    assert client.get(f"/api/imports/{job.id}").status_code == 403
    session.refresh(job)
    assert job.status == "uploaded"
    assert session.exec(select(func.count()).select_from(Supplier)).one() == 0


def test_large_files_import_in_the_background_with_progress(app, client, session, data_dir):
    app.config["IMPORT_BACKGROUND_BYTES"] = 0  # everything counts as large
    agency = create_user(session, role="agency")
    client.sign_in(agency.email)
    notices = (data_dir / "procurement-data/contracts-finder-csv/"
               "cf_export_2025-11_bidboost.csv").read_bytes()
    response = upload(client, notices, filename="cf.csv")
    job = session.exec(select(ImportJob)).one()
    started = client.post(f"/imports/{job.id}/start", {})
    assert started.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Progress" in page or "Imported" in page
    status = wait_for(client, job.id)
    assert status["status"] == "done", status
    assert status["progress"]["fraction"] == 1.0
    assert "852 created" in text(client.get(response.headers["Location"]))
    assert session.exec(select(func.count()).select_from(Tender)).one() == 852


def test_uploads_are_deleted_once_imported_and_old_ones_expire(client, session):
    from datetime import timedelta
    from pathlib import Path

    from coopmatch.models import utcnow
    from coopmatch.services import jobs

    agency = create_user(session, role="agency")
    client.sign_in(agency.email)
    upload(client, REGISTER + "Nowhere Co-op,ZZ,sme,\n")
    imported = session.exec(select(ImportJob)).one()
    client.post(f"/imports/{imported.id}/start", {"skip_invalid": "y"})
    session.refresh(imported)
    assert imported.status == "done"
    assert not Path(imported.stored_path).exists()  # imported: the upload is not kept
    rejected = client.get(f"/imports/{imported.id}/rejected.csv")
    assert rejected.status_code == 200 and b"Nowhere Co-op" in rejected.data
    upload(client, REGISTER)
    waiting = session.exec(select(ImportJob).where(ImportJob.id != imported.id)).one()
    assert Path(waiting.stored_path).exists()

    assert jobs.clean_uploads(session, now=utcnow() + timedelta(days=3)) == 0
    assert jobs.clean_uploads(session, now=utcnow() + timedelta(days=8)) == 2
    session.refresh(waiting)
    session.refresh(imported)
    assert waiting.status == "expired" and imported.status == "done"
    assert not Path(waiting.stored_path).parent.exists()
    page = text(client.get(f"/imports/{waiting.id}"))
    assert "upload the file again" in page
    refused = client.post(f"/imports/{waiting.id}/start", {}, follow_redirects=True)
    assert "upload the file again" in text(refused)
    gone = client.get(f"/imports/{imported.id}/rejected.csv", follow_redirects=True)
    assert "have been deleted" in text(gone) and "2 created" in text(gone)
    assert session.exec(select(func.count()).select_from(Supplier)).one() == 2


def test_an_import_links_to_the_notices_it_created_or_updated(client, session, monkeypatch):
    """The finished import's page links to the notices it changed (the first ten, then how
    many more), not to those it left as they were; a dry run links to none."""
    import json

    from coopmatch.services import imports

    monkeypatch.setattr(imports, "CHANGED_NOTICES_LISTED", 2)

    def package(*titles):
        return json.dumps({"releases": [
            {"ocid": f"ocds-x-{n}", "id": "1", "date": "2026-11-01", "tag": ["tender"],
             "buyer": {"id": "b1", "name": "Hyndburn Borough Council"},
             "parties": [{"id": "b1", "name": "Hyndburn Borough Council", "roles": ["buyer"],
                          "address": {"postalCode": "BB5 1LA"}}],
             "tender": {"id": "t1", "title": title, "status": "active"}}
            for n, title in enumerate(titles)]})

    def run(content, **start):
        client.sign_in(agency.email)
        page = client.get(upload(client, content, filename="notices.json").headers["Location"])
        job_id = int(page.request.path.rsplit("/", 1)[1])
        client.post(f"/imports/{job_id}/start", start)
        wait_for(client, job_id)
        body = text(client.get(f"/imports/{job_id}"))
        client.sign_out()
        if 'id="changed-notices"' not in body:
            return None
        return body.split('id="changed-notices"')[1].split("</section>")[0]

    agency = create_user(session, role="agency")
    listed = run(package("Office cleaning", "Window cleaning", "Depot cleaning"))
    ids = {t.title: t.id for t in session.exec(select(Tender))}
    assert f'href="/tenders/{ids["Office cleaning"]}">Office cleaning</a>' in listed
    assert f'href="/tenders/{ids["Window cleaning"]}">Window cleaning</a>' in listed
    assert "Depot cleaning" not in listed and "and 1 more" in listed
    # Imported again with one title changed: only that notice is listed.
    listed = run(package("Office cleaning", "Window cleaning", "Depot and yard cleaning"))
    assert "Depot and yard cleaning" in listed and "Office cleaning" not in listed
    assert "more" not in listed
    # Nothing changed, or a dry run: no list.
    assert run(package("Office cleaning", "Window cleaning", "Depot and yard cleaning")) is None
    assert run(package("Office cleaning", "New title"), dry_run="y") is None
    assert "New title" not in {t.title for t in session.exec(select(Tender))}


def test_an_import_whose_server_stopped_shows_why_and_can_be_started_again(client, session):
    agency = create_user(session, role="agency")
    client.sign_in(agency.email)
    job_id = int(upload(client, REGISTER).headers["Location"].rsplit("/", 1)[1])
    # Started by a web process on this machine that has since stopped (a restart): its
    # process id is that of a process that has ended.
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    job = session.get(ImportJob, job_id)
    job.status, job.runner = "running", f"process:{socket.gethostname()}:{ended.stdout.strip()}:t"
    session.commit()

    status = client.get(f"/api/imports/{job_id}").get_json()
    assert status["status"] == "uploaded" and not status["finished"]
    page = text(client.get(f"/imports/{job_id}"))
    assert "The import stopped before it finished" in page and "start it again" in page
    assert f'action="/imports/{job_id}/start"' in page and "Preston Cleaning Co-op" in page
    done = text(client.get(client.post(f"/imports/{job_id}/start", {}).headers["Location"]))
    assert "Imported" in done and "2 created" in done
    assert "stopped before it finished" not in done
    assert session.exec(select(func.count()).select_from(Supplier)).one() == 2
