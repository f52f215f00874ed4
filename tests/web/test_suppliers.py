import html
import re
from datetime import date

from sqlmodel import select

from coopmatch.models import Award, Supplier
from tests.factories import create_organisation, create_supplier, create_tender, create_user

VALID = {
    "name": "Ribble Catering Co-operative",
    "description": "Worker co-op: school meals and care-home catering across Preston.",
    "postcode": "pr1 3nn",
    "ownership": "worker_coop",
    "employees": "12",
    "turnover_band": "500k_2m",
    "cpv_codes": "55520000",
    "sic_codes": "56290",
    "accreditations": ["real_living_wage"],
    "website": "https://ribble.example.coop",
    "status": "active",
}


def test_supplier_registers_their_business(client, session):
    user = create_user(session, role="supplier")
    client.sign_in(user.email)
    response = client.post("/suppliers/register", VALID)
    assert response.status_code == 302
    supplier = session.exec(select(Supplier)).one()
    assert supplier.postcode == "PR1 3NN" and supplier.local_authority_code == "E07000123"
    assert supplier.region_code == "E12000002" and supplier.latitude is not None
    assert supplier.accreditation_list == ["real_living_wage"]
    assert supplier.capacity_gbp == 1_000_000  # half the top of the turnover band
    session.refresh(user)
    assert user.supplier_id == supplier.id


def test_bad_supplier_input_names_each_field_and_stores_nothing(client, session):
    user = create_user(session, role="supplier")
    client.sign_in(user.email)
    bad = dict(VALID, name="", description="short", postcode="nowhere", employees="many",
               cpv_codes="9999", sic_codes="56102 5610", website="not a url")
    response = client.post("/suppliers/register", bad)
    body = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    for message in ["Enter the name of your business.", "at least 20 characters",
                    "Enter a full UK postcode", "Enter a whole number, like 12.",
                    "'9999' is not a CPV code", "'5610' is not a SIC code: SIC codes have 5",
                    "Enter a web address"]:
        assert message in body, message
    assert "Enter the number of employees as a whole number" not in body  # said once
    assert session.exec(select(Supplier)).all() == []


def test_supplier_edits_only_their_own_profile(client, session, ref):
    owner = create_user(session, role="supplier")
    supplier = create_supplier(session, ref, user=owner)
    other = create_user(session, role="supplier")
    create_supplier(session, ref, user=other, name="Another Co-op")
    officer = create_user(session, role="procurement")
    for intruder in (other, officer):
        client.sign_in(intruder.email)
        assert client.post(f"/suppliers/{supplier.id}/edit",
                           dict(VALID, name="Hijacked")).status_code == 403
        client.sign_out()
    session.refresh(supplier)
    assert supplier.name == "Preston Cleaning Co-operative"
    client.sign_in(owner.email)
    assert client.post(f"/suppliers/{supplier.id}/edit",
                       dict(VALID, name="Preston Cleaning Co-op")).status_code == 302
    session.refresh(supplier)
    assert supplier.name == "Preston Cleaning Co-op"


def test_only_supplier_accounts_register_a_business(client, session):
    officer = create_user(session, role="procurement")
    client.sign_in(officer.email)
    assert client.post("/suppliers/register", VALID).status_code == 403
    assert session.exec(select(Supplier)).all() == []


def test_the_register_downloads_as_filtered_with_contacts_only_for_users(client, session, ref):
    create_supplier(session, ref, name="Preston Cleaning Co-operative",
                    contact_email="hello@clean.coop")
    create_supplier(session, ref, name="Manchester Builders Ltd", ownership="sme",
                    postcode="M1 1AE", cpv_codes="45000000",
                    description="General building contractor for public buildings.")
    page = html.unescape(client.get("/suppliers/?ownership=worker_coop").get_data(as_text=True))
    assert 'href="/suppliers/export.csv?ownership=worker_coop"' in page
    assert "Download these 1 supplier (CSV)" in page
    response = client.get("/suppliers/export.csv?ownership=worker_coop")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.is_streamed  # sent as read, not built whole first
    assert "supplier-register.csv" in response.headers["Content-Disposition"]
    rows = response.get_data(as_text=True).splitlines()
    assert rows[0].startswith("name,description,postcode,cpv_codes") and len(rows) == 2
    assert rows[1].startswith("Preston Cleaning Co-operative,")
    assert "hello@clean.coop" not in rows[1]  # contacts are for signed-in users, as on the pages
    client.sign_in(create_user(session, role="supplier").email)
    signed_in = client.get("/suppliers/export.csv?ownership=worker_coop").get_data(as_text=True)
    assert signed_in.splitlines()[1].endswith(",hello@clean.coop")
    # An area that is none: back to the list, which says why at the field.
    refused = client.get("/suppliers/export.csv?area=Lancshire", follow_redirects=True)
    text = html.unescape(refused.get_data(as_text=True))
    assert "No register downloaded: No area or postcode district is called 'Lancshire'" in text
    assert 'id="area-error"' in text


def test_register_list_filters(client, session, ref):
    create_supplier(session, ref, name="Preston Cleaning Co-operative")
    create_supplier(session, ref, name="Manchester Builders Ltd", ownership="sme",
                    postcode="M1 1AE", cpv_codes="45000000",
                    description="General building contractor for public buildings.")
    body = client.get("/suppliers/?ownership=worker_coop").get_data(as_text=True)
    assert "Preston Cleaning" in body and "Manchester Builders" not in body
    body = client.get("/suppliers/?area=E47000001").get_data(as_text=True)
    assert "Manchester Builders" in body and "Preston Cleaning" not in body
    body = client.get("/suppliers/?cpv=45").get_data(as_text=True)
    assert "Manchester Builders" in body and "Preston Cleaning" not in body
    body = client.get("/suppliers/?q=building").get_data(as_text=True)
    assert "Manchester Builders" in body and "Preston Cleaning" not in body
    # Firms named for the words come first, then those that say them as words, then those
    # whose names hold them inside other words, then those that say them inside other words.
    create_supplier(session, ref, name="Acme Facilities Ltd", postcode="PR1 3NN",
                    description="Office cleaning and caretaking.")
    create_supplier(session, ref, name="Zenith Cleaning Services", postcode="PR1 3NN")
    create_supplier(session, ref, name="Aardvark Drycleaning", postcode="PR1 3NN",
                    description="Dry cleaners.")
    create_supplier(session, ref, name="Abbey Laundry", postcode="PR1 3NN",
                    description="Drycleaning and laundry.")
    body = client.get("/suppliers/?q=cleaning").get_data(as_text=True)
    found = [name for name in ("Preston Cleaning", "Zenith Cleaning", "Aardvark Drycleaning",
                               "Acme Facilities", "Abbey Laundry") if name in body]
    assert sorted(found, key=body.index) == ["Preston Cleaning", "Zenith Cleaning",
                                             "Acme Facilities", "Aardvark Drycleaning",
                                             "Abbey Laundry"]
    # A short word inside a name ("art" in "Partnership") comes after firms that do art.
    create_supplier(session, ref, name="Apex Partnership Ltd", postcode="PR1 3NN",
                    description="Department store.")
    create_supplier(session, ref, name="Zed Studio", postcode="PR1 3NN",
                    description="Public art, murals (and art-workshops) for schools.")
    body = client.get("/suppliers/?q=Art").get_data(as_text=True)
    assert "Zed Studio" in body and body.index("Zed Studio") < body.index("Apex Partnership")
    body = client.get("/suppliers/?area=PR1").get_data(as_text=True)
    assert "Preston Cleaning" in body
    # A supplier known only from contract awards is found by the work it has won.
    officer = create_user(session, role="procurement", organisation=create_organisation(
        session, ref))
    meals = create_tender(session, ref, officer, title="School meals for Chorley schools",
                          cpv_codes="55523100", status="awarded")
    caterer = Supplier(name="Lakeland Dinners Ltd", status="active")
    session.add(caterer)
    session.flush()
    lunches = create_tender(session, ref, officer, title="Holiday lunch clubs",
                            cpv_codes="55520000", status="awarded")
    session.add(Award(tender_id=meals.id, supplier_id=caterer.id, value=90_000.0,
                      award_date=date(2024, 3, 1)))
    session.add(Award(tender_id=lunches.id, supplier_id=caterer.id, value=20_000.0,
                      award_date=date(2025, 7, 1)))
    session.commit()
    for query in ("?q=school+meals", "?cpv=55"):
        body = html.unescape(client.get(f"/suppliers/{query}").get_data(as_text=True))
        assert "Lakeland Dinners" in body and "Manchester Builders" not in body, query
        assert "Won 2 public contracts, latest “Holiday lunch clubs”" in body
    # A word of a contract won counts as a word the firm says ("lunch" before "Lunchbox").
    create_supplier(session, ref, name="Aaron Lunchboxes", postcode="PR1 3NN",
                    description="Packed lunches.")
    body = client.get("/suppliers/?q=lunch").get_data(as_text=True)
    assert body.index("Lakeland Dinners") < body.index("Aaron Lunchboxes")
    assert "Lakeland Dinners" not in client.get("/suppliers/?q=building").get_data(as_text=True)
    body = client.get("/suppliers/?area=greater+manchester").get_data(as_text=True)
    assert "Manchester Builders" in body and "Preston Cleaning" not in body
    # An area that is none is said so at the field, with the filters kept, not "no suppliers".
    refused = client.get("/suppliers/?area=Lancshire&ownership=sme")
    text = html.unescape(refused.get_data(as_text=True))
    assert refused.status_code == 400 and 'id="area-error"' in text
    assert "No area or postcode district is called 'Lancshire'. Did you mean Lancashire?" in text
    assert 'value="Lancshire"' in text and "Manchester Builders" not in text
    api = client.get("/api/suppliers?area=Lancshire")
    assert api.status_code == 400 and api.get_json()["field"] == "area"


def _award_only(session, name="abandoned"):
    from coopmatch.names import normalise_name

    supplier = Supplier(name=name, normalised_name=normalise_name(name), source="award",
                        ownership="unknown")
    session.add(supplier)
    session.commit()
    return supplier


def test_an_administrator_removes_a_record_that_is_no_firm(client, session, ref):
    junk = _award_only(session)
    junk_id = junk.id
    url = f"/suppliers/{junk_id}"
    # Only administrators see the form, and only they may use it.
    assert "Remove from the register" not in client.get(url).get_data(as_text=True)
    for role in ("supplier", "procurement", "agency"):
        client.sign_in(create_user(session, role=role).email)
        assert "Remove from the register" not in client.get(url).get_data(as_text=True)
        assert client.post(f"{url}/remove", {"confirm": "y"}).status_code == 403
        client.sign_out()
    assert client.post(f"{url}/remove", {"confirm": "y"}).status_code == 302  # to sign in
    client.sign_in(create_user(session, role="admin").email)
    assert "Remove from the register" in client.get(url).get_data(as_text=True)
    assert client.post(f"{url}/remove", {"confirm": "y", "csrf_token": ""}).status_code == 400
    unconfirmed = client.post(f"{url}/remove", {}, follow_redirects=True)
    assert "Confirm that this is no firm to keep." in html.unescape(
        unconfirmed.get_data(as_text=True))
    session.expire_all()
    assert session.get(Supplier, junk_id) is not None
    done = client.post(f"{url}/remove", {"confirm": "y"})
    assert done.status_code == 303 and done.headers["Location"].endswith("/suppliers/")
    session.expire_all()
    assert session.get(Supplier, junk_id) is None
    assert client.post(f"{url}/remove", {"confirm": "y"}).status_code == 404
    # A supplier with an account of its own offers no such form.
    own = create_supplier(session, ref, name="Preston Bakers Co-op")
    page = client.get(f"/suppliers/{own.id}").get_data(as_text=True)
    assert "Remove from the register" not in page
    refused = client.post(f"/suppliers/{own.id}/remove", {"confirm": "y"},
                          follow_redirects=True)
    assert "has an account of its own" in html.unescape(refused.get_data(as_text=True))
    assert session.get(Supplier, own.id) is not None


def test_an_administrator_undoes_a_removal_from_the_duplicates_page(client, session, ref):
    junk = _award_only(session, name="Abandoned <b>Ltd</b>")  # a name is text, not markup
    junk_id, name = junk.id, junk.name
    admin = create_user(session, role="admin")
    client.sign_in(admin.email)
    done = client.post(f"/suppliers/{junk_id}/remove", {"confirm": "y"}, follow_redirects=True)
    assert ('Abandoned &lt;b&gt;Ltd&lt;/b&gt; is removed from the register, with the contracts '
            'it was named as winning. If that was a mistake, undo it under '
            '<a href="/admin/duplicates#recent-removals">Recent removals</a>.'
            in done.get_data(as_text=True))
    page = html.unescape(client.get("/admin/duplicates").get_data(as_text=True))
    removals = page.split('id="recent-removals"')[1]
    assert name in removals and "removed from the register" in removals
    action = re.search(r'action="(/admin/duplicates/removals/\d+/undo)"', removals).group(1)
    client.sign_out()
    # Only administrators, and only with the form's CSRF token.
    for role in ("supplier", "procurement", "agency"):
        client.sign_in(create_user(session, role=role).email)
        assert client.post(action).status_code == 403
        client.sign_out()
    client.sign_in(admin.email)
    assert client.post(action, {"csrf_token": ""}).status_code == 400
    session.expire_all()
    assert session.get(Supplier, junk_id) is None
    back = client.post(action)
    assert back.status_code == 303 and back.headers["Location"].endswith(f"/suppliers/{junk_id}")
    session.expire_all()
    assert session.get(Supplier, junk_id).name == name
    again = client.post(action, follow_redirects=True)
    assert "has already been undone" in html.unescape(again.get_data(as_text=True))
    assert "No removals to undo." in client.get("/admin/duplicates").get_data(as_text=True)


def test_the_duplicates_page_says_a_removed_firm_came_back_and_undoes_onto_it(
        client, session, ref):
    gone = _award_only(session, name="Ribble <i>Bakery</i>")
    gone_id = gone.id
    admin = create_user(session, role="admin")
    client.sign_in(admin.email)
    client.post(f"/suppliers/{gone_id}/remove", {"confirm": "y"})
    session.expunge_all()  # the app removed it: forget this session's copy
    back = _award_only(session, name="Ribble <i>Bakery</i>")  # an import named it again
    page = client.get("/admin/duplicates").get_data(as_text=True)
    removals = page.split('id="recent-removals"')[1]
    assert (f'Came back since as <a href="/suppliers/{back.id}">Ribble &lt;i&gt;Bakery&lt;/i&gt;'
            '</a>: undoing puts its contracts back on that one.') in removals
    action = re.search(r'action="(/admin/duplicates/removals/\d+/undo)"', removals).group(1)
    done = client.post(action)
    assert done.headers["Location"].endswith(f"/suppliers/{back.id}")
    shown = html.unescape(client.get(done.headers["Location"]).get_data(as_text=True))
    assert "Ribble <i>Bakery</i> had come back to the register since: its old contracts are " \
        "back on it." in shown
    session.expire_all()
    assert session.exec(select(Supplier).where(Supplier.name == back.name)).all() == [
        session.get(Supplier, back.id)]


def test_a_suppliers_page_shows_the_codes_of_the_contracts_it_has_won(client, session, ref):
    """Matching reads the CPV codes of the contracts a supplier has won as well as those it
    states: its page shows them, most used first, leaving out the ones it states."""
    officer = create_user(session, role="procurement", organisation=create_organisation(
        session, ref))
    caterer = create_supplier(session, ref, name="Lakeland Dinners Co-op", cpv_codes="55523100")
    for title, codes in [("School meals, Chorley", "55523100 55520000"),
                         ("School meals, Preston", "55520000"),
                         ("Meals on wheels", "55521100 55520000")]:
        won = create_tender(session, ref, officer, title=title, cpv_codes=codes,
                            status="awarded")
        session.add(Award(tender_id=won.id, supplier_id=caterer.id))
    session.commit()
    body = html.unescape(client.get(f"/suppliers/{caterer.id}").get_data(as_text=True))
    row = body.split('id="won-codes"')[1].split("</dd>")[0]
    assert "Other codes of its contracts" in row
    listed = re.findall(r"<div>(\d{8}) [^<(]*(?:\((\d+) contracts\))?</div>", row)
    assert listed == [("55520000", "3"), ("55521100", "")]  # not the 55523100 it states
    # Its owner reads it as its own; a supplier with no contracts has no such row.
    client.sign_in(caterer.users[0].email)
    assert "Other codes of your contracts" in client.get(
        f"/suppliers/{caterer.id}").get_data(as_text=True)
    newcomer = create_supplier(session, ref, name="Ribble Newcomers Co-op")
    assert 'id="won-codes"' not in client.get(f"/suppliers/{newcomer.id}").get_data(
        as_text=True)


def test_register_search_reads_percent_and_underscore_as_typed(client, session, ref):
    create_supplier(session, ref, name="100% Recycled Paper Co-op")
    create_supplier(session, ref, name="1000 Hands Catering")
    create_supplier(session, ref, name="Ribble Valley Catering", description="Cafe_bar hire.")
    create_supplier(session, ref, name="Cafe Bar Collective")
    body = client.get("/suppliers/?q=100%25").get_data(as_text=True)
    assert "100% Recycled" in body and "1000 Hands" not in body
    body = client.get("/suppliers/?q=cafe_bar").get_data(as_text=True)
    assert "Ribble Valley Catering" in body and "Cafe Bar Collective" not in body
