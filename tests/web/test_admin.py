import html
import re

from sqlmodel import select

from coopmatch.models import Organisation, Supplier, User
from coopmatch.names import normalise_name
from tests.factories import create_organisation, create_supplier, create_user


def test_admin_creates_an_organisation_and_approves_a_buyer(client, session, ref):
    admin = create_user(session, role="admin")
    client.sign_in(admin.email)
    response = client.post("/admin/organisations/new", {
        "name": "Lancashire Teaching Hospitals", "kind": "nhs", "postcode": "PR2 9HT"})
    assert response.status_code == 302
    hospital = session.exec(select(Organisation)).one()
    assert hospital.kind == "nhs" and hospital.local_authority_code == "E07000123"
    pending = User(email="p@nhs.example", password_hash="x", role="procurement",
                   organisation_id=hospital.id, active=False)
    session.add(pending)
    session.commit()
    response = client.post(f"/admin/users/{pending.id}", {
        "role": "procurement", "organisation_id": str(hospital.id), "active": "1"})
    assert response.status_code == 302
    session.refresh(pending)
    assert pending.active


def test_bad_organisation_input_stores_nothing(client, session):
    admin = create_user(session, role="admin")
    client.sign_in(admin.email)
    response = client.post("/admin/organisations/new", {"name": "", "kind": "council",
                                                        "postcode": "XX"})
    body = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "Enter the organisation's name." in body and "Enter a full UK postcode" in body
    assert session.exec(select(Organisation)).all() == []


def test_non_admins_cannot_manage_accounts_or_organisations(client, session, ref):
    council = create_organisation(session, ref)
    target = create_user(session, role="supplier")
    for role in ("supplier", "procurement", "agency"):
        intruder = create_user(session, role=role, organisation=council)
        client.sign_in(intruder.email)
        assert client.get("/admin/users").status_code == 403
        assert client.post("/admin/organisations/new", {
            "name": "Fake", "kind": "council"}).status_code == 403
        assert client.post(f"/admin/organisations/{council.id}/edit", {
            "name": "Renamed", "kind": "council"}).status_code == 403
        assert client.post(f"/admin/users/{target.id}", {
            "role": "admin", "active": "1"}).status_code == 403
        assert client.post("/admin/users/new", {
            "name": "x", "email": "x@example.org", "password": "long enough password",
            "role": "admin"}).status_code == 403
        client.sign_out()
    session.refresh(target)
    session.refresh(council)
    assert target.role == "supplier" and council.name == "Preston City Council"
    assert len(session.exec(select(Organisation)).all()) == 1
    assert session.exec(select(User).where(User.email == "x@example.org")).first() is None


def test_admin_cannot_deactivate_themselves(client, session):
    admin = create_user(session, role="admin")
    client.sign_in(admin.email)
    response = client.post(f"/admin/users/{admin.id}", {"role": "admin", "active": "0"})
    assert response.status_code == 400
    assert "cannot deactivate your own account" in html.unescape(response.get_data(as_text=True))
    session.refresh(admin)
    assert admin.active


def test_bad_account_input_names_each_field_and_stores_nothing(client, session):
    admin = create_user(session, role="admin")
    client.sign_in(admin.email)
    before = len(session.exec(select(User)).all())
    response = client.post("/admin/users/new", {"name": "", "email": "nope", "password": "short",
                                                "role": "procurement"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    for message in ["Enter the person", "Enter an email address in the correct format",
                    "at least 10 characters"]:
        assert message in body
    session.expire_all()
    assert len(session.exec(select(User)).all()) == before


def test_an_organisation_there_is_none_of_is_refused_at_its_field(client, session, ref):
    admin = create_user(session, role="admin")
    buyer = create_user(session, role="procurement")
    client.sign_in(admin.email)
    before = len(session.exec(select(User)).all())
    created = client.post("/admin/users/new", {
        "name": "Pat", "email": "pat@example.org", "password": "a-long-password",
        "role": "procurement", "organisation_id": "999999"})
    edited = client.post(f"/admin/users/{buyer.id}", {
        "role": "procurement", "active": "1", "organisation_id": "999999"})
    for response in (created, edited):
        body = html.unescape(response.get_data(as_text=True))
        assert response.status_code == 400, body[:500]
        assert "There is no such organisation: choose one from the list." in body
    session.expire_all()
    assert len(session.exec(select(User)).all()) == before
    assert session.get(User, buyer.id).organisation_id == buyer.organisation_id


def _listed_twice(session, ref):
    first = create_supplier(session, ref, name="Paydale Playgrounds Ltd", postcode=None)
    second = create_supplier(session, ref, name="Playdale Playgrounds Ltd", postcode="LA1 1PJ")
    return first, second


def test_admin_sees_suppliers_listed_twice_and_merges_them(client, session, ref):
    first, second = _listed_twice(session, ref)
    first_id, second_id = first.id, second.id
    admin = create_user(session, role="admin")
    client.sign_in(admin.email)
    page = html.unescape(client.get("/admin/duplicates").get_data(as_text=True))
    assert "Paydale Playgrounds Ltd" in page and "Playdale Playgrounds Ltd" in page
    response = client.post("/admin/duplicates/merge",
                           {"keep_id": str(second_id), "other_id": str(first_id)})
    assert response.status_code == 303
    page = html.unescape(client.get("/admin/duplicates").get_data(as_text=True))
    assert "Merged into Playdale Playgrounds Ltd." in page
    assert "No supplier looks listed twice." in page
    session.expire_all()
    assert session.get(Supplier, first_id) is None and session.get(Supplier, second_id)


def test_only_admins_merge_suppliers_and_only_with_a_csrf_token(client, session, ref):
    first, second = _listed_twice(session, ref)
    council = create_organisation(session, ref)
    for role in ("supplier", "procurement", "agency"):
        intruder = create_user(session, role=role, organisation=council)
        client.sign_in(intruder.email)
        assert client.get("/admin/duplicates").status_code == 403
        assert client.post("/admin/duplicates/merge", {
            "keep_id": str(first.id), "other_id": str(second.id)}).status_code == 403
        client.sign_out()
    admin = create_user(session, role="admin")
    client.sign_in(admin.email)
    assert client.post("/admin/duplicates/merge", {
        "keep_id": str(first.id), "other_id": str(second.id)}, csrf=False).status_code == 400
    response = client.post("/admin/duplicates/merge", {"keep_id": str(first.id),
                                                       "other_id": str(first.id)})
    assert response.status_code == 303
    page = html.unescape(client.get("/admin/duplicates").get_data(as_text=True))
    assert "Choose two different suppliers to merge." in page
    session.expire_all()
    assert session.get(Supplier, first.id) and session.get(Supplier, second.id)


def test_admin_undoes_a_merge_and_nobody_else_may(client, session, ref):
    from coopmatch.models import SupplierMerge

    first, second = _listed_twice(session, ref)
    first_id, second_id = first.id, second.id
    admin = create_user(session, role="admin")
    client.sign_in(admin.email)
    client.post("/admin/duplicates/merge", {"keep_id": str(second_id), "other_id": str(first_id)})
    page = html.unescape(client.get("/admin/duplicates").get_data(as_text=True))
    assert "undo it under Recent merges" in page
    merge = session.exec(select(SupplierMerge)).one()
    undo = f"/admin/duplicates/merges/{merge.id}/undo"
    assert f'action="{undo}"' in page
    client.sign_out()
    council = create_organisation(session, ref)
    for role in ("supplier", "procurement", "agency"):
        client.sign_in(create_user(session, role=role, organisation=council).email)
        assert client.post(undo, {}).status_code == 403
        client.sign_out()
    client.sign_in(admin.email)
    assert client.post(undo, {}, csrf=False).status_code == 400
    session.expire_all()
    assert session.get(Supplier, first_id) is None  # still merged

    assert client.post(undo, {}).status_code == 303
    page = html.unescape(client.get("/admin/duplicates").get_data(as_text=True))
    assert "Paydale Playgrounds Ltd is back in the register" in page
    assert "No merges to undo." in page
    session.expire_all()
    assert session.get(Supplier, first_id) and session.get(Supplier, second_id)
    client.post(undo, {})
    page = html.unescape(client.get("/admin/duplicates").get_data(as_text=True))
    assert "has already been undone" in page


def _trust_listed_twice(session, ref):
    trust = create_organisation(session, ref, name="Lancashire Teaching Hospitals NHS "
                                "Foundation Trust", kind="nhs", postcode="PR2 9HT")
    initials = create_organisation(session, ref, name="LTHTR", kind="other_public",
                                   postcode=None)
    officer = create_user(session, role="procurement", organisation=initials)
    return trust, initials, officer


def test_admin_merges_an_organisation_listed_twice(client, session, ref):
    trust, initials, officer = _trust_listed_twice(session, ref)
    trust_id, initials_id = trust.id, initials.id
    admin = create_user(session, role="admin")
    client.sign_in(admin.email)
    page = html.unescape(client.get(f"/admin/organisations/{trust_id}/edit").get_data(
        as_text=True))
    assert "Merge a duplicate into this organisation" in page
    assert f'<option value="{initials_id}">LTHTR</option>' in page
    unconfirmed = client.post(f"/admin/organisations/{trust_id}/merge",
                              {"other_id": str(initials_id)})
    assert unconfirmed.status_code == 400
    assert "Confirm that both are the same body." in html.unescape(
        unconfirmed.get_data(as_text=True))
    assert session.get(Organisation, initials_id) is not None
    response = client.post(f"/admin/organisations/{trust_id}/merge",
                           {"other_id": str(initials_id), "confirm": "y"})
    assert response.status_code == 303
    page = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Merged LTHTR into Lancashire Teaching Hospitals NHS Foundation Trust" in page
    assert "Also goes by: LTHTR." in page
    session.expire_all()
    assert session.get(Organisation, initials_id) is None
    assert session.get(User, officer.id).organisation_id == trust_id
    listing = html.unescape(client.get("/admin/organisations").get_data(as_text=True))
    assert "Also: LTHTR" in listing


def test_only_admins_merge_organisations_and_only_with_a_csrf_token(client, session, ref):
    trust, initials, officer = _trust_listed_twice(session, ref)
    form = {"other_id": str(initials.id), "confirm": "y"}
    url = f"/admin/organisations/{trust.id}/merge"
    for role in ("supplier", "procurement", "agency"):
        intruder = create_user(session, role=role, organisation=trust)
        client.sign_in(intruder.email)
        assert client.post(url, form).status_code == 403
        client.sign_out()
    client.sign_in(officer.email)  # an officer of the organisation to be merged
    assert client.post(url, form).status_code == 403
    client.sign_out()
    admin = create_user(session, role="admin")
    client.sign_in(admin.email)
    assert client.post(url, form, csrf=False).status_code == 400
    assert client.post(f"/admin/organisations/{trust.id}/merge",
                       {"other_id": str(trust.id), "confirm": "y"}).status_code == 400
    assert client.post("/admin/organisations/999999/merge", form).status_code == 404
    session.expire_all()
    assert len(session.exec(select(Organisation)).all()) == 2
    assert session.get(User, officer.id).organisation_id == initials.id


def test_admin_sees_an_organisation_listed_twice_and_merges_it_from_the_list(client, session,
                                                                          ref):
    """Two organisations a database holds from before imports read initials as such."""
    dwp = create_organisation(session, ref, name="Department for Work and Pensions",
                              kind="other_public", postcode=None)
    initials = create_organisation(session, ref, name="Department for Work and Pensions (DWP)",
                                   kind="other_public", postcode=None)
    create_organisation(session, ref, name="West Sussex County Council", postcode=None)
    create_organisation(session, ref, name="East Sussex County Council", postcode=None)
    create_user(session, role="procurement", organisation=dwp)  # more on it: the one kept
    dwp_id, initials_id = dwp.id, initials.id
    admin = create_user(session, role="admin")
    client.sign_in(admin.email)
    page = html.unescape(client.get("/admin/organisations").get_data(as_text=True))
    page = re.sub(r"<[^>]+>", "", page)  # as read: "Merge" and its hidden words
    assert "Listed twice?" in page
    assert ("Merge Department for Work and Pensions (DWP) into Department for Work and "
            "Pensions") in page
    assert "East Sussex County Council into" not in page
    assert "West Sussex County Council into" not in page
    response = client.post(f"/admin/organisations/{dwp_id}/merge", {
        "other_id": str(initials_id), "confirm": "y", "next": "list"})
    assert response.status_code == 303 and response.headers["Location"].endswith(
        "/admin/organisations")
    page = html.unescape(client.get("/admin/organisations").get_data(as_text=True))
    assert "Merged Department for Work and Pensions (DWP) into" in page
    assert "Listed twice?" not in page
    # Imports read "(DWP)" as the initials of the name before it: no other name to keep.
    assert "Also: Department for Work and Pensions (DWP)" not in page
    session.expire_all()
    assert session.get(Organisation, initials_id) is None


NOTICES = ("source,record_id,buyer_name,title,supplier_name,supplier_postcode,"
           "num_suppliers_on_award\n"
           "cf,n1,Oldham Council,Road surfacing,COATING SERVICES LTD,OL1 3RU,2\n"
           "cf,n1,Oldham Council,Road surfacing,Smith Builders,CT1 1AA,2\n")


def _locate(client, content: str = NOTICES, **fields):
    import io

    return client.post("/admin/locate", {"file": (io.BytesIO(content.encode()), "notices.csv"),
                                         "format": "", **fields},
                       content_type="multipart/form-data")


def _unplaced(session):
    found = [Supplier(name=name, normalised_name=normalise_name(name), source="award",
                      ownership="sme")
             for name in ("Coating Services Limited", "Smith Builders")]
    session.add_all(found)
    session.commit()
    return found


def test_an_administrator_places_suppliers_from_a_file_of_notices(client, session, ref):
    coating, smith = _unplaced(session)
    client.sign_in(create_user(session, role="admin").email)
    page = client.get("/admin/users").get_data(as_text=True)
    assert 'href="/admin/locate"' in page  # in the admin menu
    dry = _locate(client, dry_run="y")
    body = html.unescape(dry.get_data(as_text=True))
    assert dry.status_code == 200
    assert "Would place 1 of the 1 supplier with a company's name and no postcode" in body
    assert "Coating Services Limited" in body and "OL1 3RU" in body
    session.refresh(coating)
    assert coating.postcode is None
    done = _locate(client)
    body = html.unescape(done.get_data(as_text=True))
    assert "Placed 1 of the 1 supplier with" in body
    session.refresh(coating)
    session.refresh(smith)
    assert coating.postcode == "OL1 3RU" and coating.local_authority_code == "E08000004"
    assert smith.postcode is None  # not a company's name: may be another firm
    assert "OL1 3RU" in client.get("/admin/audit").get_data(as_text=True)


def test_a_large_file_places_suppliers_in_the_background_with_progress(app, client, session,
                                                                      ref):
    from coopmatch.models import ImportJob
    from tests.web.test_imports import wait_for

    app.config["IMPORT_BACKGROUND_BYTES"] = 0  # every file counts as large
    coating, smith = _unplaced(session)
    admin = create_user(session, role="admin")
    client.sign_in(admin.email)
    dry = _locate(client, dry_run="y")
    assert dry.status_code == 303
    (job,) = session.exec(select(ImportJob)).all()
    assert dry.headers["Location"].endswith(f"/imports/{job.id}") and job.kind == "locate"
    assert wait_for(client, job.id)["status"] == "done"
    body = html.unescape(client.get(f"/imports/{job.id}").get_data(as_text=True))
    assert "Place suppliers" in body and "Imported" not in body
    assert "Would place 1 of the 1 supplier with a company's name and no postcode" in body
    assert "Coating Services Limited" in body and "OL1 3RU" in body
    session.refresh(coating)
    assert coating.postcode is None  # a dry run
    done = _locate(client)
    job_id = int(done.headers["Location"].rsplit("/", 1)[1])
    status = wait_for(client, job_id)
    assert status["status"] == "done" and status["progress"]["fraction"] == 1.0
    assert "Placed 1 of the 1 supplier with" in html.unescape(
        client.get(f"/imports/{job_id}").get_data(as_text=True))
    session.refresh(coating)
    session.refresh(smith)
    assert coating.postcode == "OL1 3RU" and smith.postcode is None
    # Listed among the imports as what it is; another administrator's job is visible to admins
    # only, and a file that is no known layout is refused before any job runs.
    assert "(to place suppliers)" in client.get("/imports/").get_data(as_text=True)
    client.sign_out()
    client.sign_in(create_user(session, role="agency").email)
    assert client.get(f"/imports/{job_id}").status_code == 403
    assert _locate(client).status_code == 403
    client.sign_out()
    client.sign_in(admin.email)
    unknown = _locate(client, content="colour,shape\nred,round\n")
    assert unknown.status_code == 400
    assert "layout was not recognised" in html.unescape(unknown.get_data(as_text=True))
    assert len(session.exec(select(ImportJob)).all()) == 2


def test_placing_suppliers_refuses_a_bad_file_and_other_roles(client, session, ref):
    coating, _ = _unplaced(session)
    for role in ("supplier", "procurement", "agency"):
        client.sign_in(create_user(session, role=role).email)
        assert _locate(client).status_code == 403
        client.sign_out()
    client.sign_in(create_user(session, role="admin").email)
    assert _locate(client, csrf_token="").status_code == 400  # no CSRF token
    unknown = _locate(client, content="colour,shape\nred,round\n")
    body = html.unescape(unknown.get_data(as_text=True))
    assert unknown.status_code == 400 and "layout was not recognised" in body
    empty = client.post("/admin/locate", {"format": ""}, content_type="multipart/form-data")
    assert empty.status_code == 400
    assert "Choose a file of notices or suppliers." in html.unescape(empty.get_data(as_text=True))
    session.refresh(coating)
    assert coating.postcode is None


def test_admin_marks_a_pair_as_two_and_undoes_it_and_nobody_else_may(client, session, ref):
    from coopmatch.models import DistinctPair

    first, second = _listed_twice(session, ref)
    ids = {"keep_id": str(first.id), "other_id": str(second.id)}
    council = create_organisation(session, ref)
    for role in ("supplier", "procurement", "agency"):
        client.sign_in(create_user(session, role=role, organisation=council).email)
        assert client.post("/admin/duplicates/distinct", ids).status_code == 403
        assert client.post("/admin/organisations/distinct", ids).status_code == 403
        client.sign_out()
    admin = create_user(session, role="admin")
    client.sign_in(admin.email)
    assert client.post("/admin/duplicates/distinct", ids, csrf=False).status_code == 400
    assert session.exec(select(DistinctPair)).all() == []
    page = html.unescape(client.get("/admin/duplicates").get_data(as_text=True))
    assert 'action="/admin/duplicates/distinct"' in page and "Not the same" in page
    assert "Marked as two" not in page

    assert client.post("/admin/duplicates/distinct", ids).status_code == 303
    page = html.unescape(client.get("/admin/duplicates").get_data(as_text=True))
    assert ("Marked Paydale Playgrounds Ltd and Playdale Playgrounds Ltd as two suppliers: "
            "they are no longer offered for merging.") in page
    assert "No supplier looks listed twice." in page
    marks = page[page.index('id="distinct-pairs"'):]
    assert "Paydale Playgrounds Ltd" in marks and 'action="/admin/duplicates/distinct/undo"' \
        in marks

    assert client.post("/admin/duplicates/distinct/undo", ids).status_code == 303
    page = html.unescape(client.get("/admin/duplicates").get_data(as_text=True))
    assert "may be offered for merging again" in page
    assert 'id="duplicates"' in page and 'id="distinct-pairs"' not in page
    client.post("/admin/duplicates/distinct/undo", ids)
    page = html.unescape(client.get("/admin/duplicates").get_data(as_text=True))
    assert f"Suppliers {first.id} and {second.id} are not marked as two." in page
    client.post("/admin/duplicates/distinct", {"keep_id": str(first.id), "other_id": "0"})
    page = html.unescape(client.get("/admin/duplicates").get_data(as_text=True))
    assert "Choose the two suppliers." in page
    assert session.exec(select(DistinctPair)).all() == []


def test_admin_marks_organisations_as_two_on_the_organisations_page(client, session, ref):
    east = create_organisation(session, ref, name="NHS East Lancashire Clinical Commissioning "
                               "Group", kind="nhs", postcode=None)
    typo = create_organisation(session, ref, name="NHS East Lancashire Clinical Commisioning "
                               "Group", kind="nhs", postcode=None)
    admin = create_user(session, role="admin")
    client.sign_in(admin.email)
    page = html.unescape(client.get("/admin/organisations").get_data(as_text=True))
    assert 'id="organisation-duplicates"' in page
    assert 'action="/admin/organisations/distinct"' in page
    ids = {"keep_id": str(east.id), "other_id": str(typo.id)}
    assert client.post("/admin/organisations/distinct", ids).status_code == 303
    page = html.unescape(client.get("/admin/organisations").get_data(as_text=True))
    assert "as two organisations" in page
    assert 'id="organisation-duplicates"' not in page and 'id="distinct-pairs"' in page
    assert 'action="/admin/organisations/distinct/undo"' in page
    assert client.post("/admin/organisations/distinct/undo", ids).status_code == 303
    page = html.unescape(client.get("/admin/organisations").get_data(as_text=True))
    assert 'id="organisation-duplicates"' in page and 'id="distinct-pairs"' not in page
