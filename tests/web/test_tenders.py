import html
import re

import pytest
from sqlmodel import select

from coopmatch.models import AuditEntry, Lot, Tender
from tests.factories import create_organisation, create_tender, create_user

VALID = {
    "title": "School meals for Preston primary schools",
    "description": "Hot school meals for 12 primary schools, five days a week.",
    "cpv_codes": "55523100-3 15894210",
    "value": "£1,200,000",
    "status": "open",
    "delivery_postcode": "pr1 2he",
    "recurrence": "recurring",
    "lots-0-title": "North Preston schools",
    "lots-0-value": "600000",
    "lots-0-cpv_codes": "55523100",
}


def _buyer(session, ref, name="Preston City Council"):
    council = create_organisation(session, ref, name=name)
    return council, create_user(session, role="procurement", organisation=council)


def test_procurement_officer_posts_a_tender_with_lots(client, session, ref):
    council, officer = _buyer(session, ref)
    client.sign_in(officer.email)
    response = client.post("/tenders/new", VALID)
    assert response.status_code == 302
    tender = session.exec(select(Tender)).one()
    assert tender.buyer_id == council.id and tender.created_by_id == officer.id
    assert tender.cpv_list == ["55523100", "15894210"]
    assert tender.value == 1_200_000
    assert tender.delivery_postcode == "PR1 2HE" and tender.local_authority_code == "E07000123"
    lot = session.exec(select(Lot)).one()
    assert lot.title == "North Preston schools" and lot.value == 600_000
    audit = session.exec(select(AuditEntry).where(AuditEntry.entity == "tender")).one()
    assert audit.user_id == officer.id and audit.action == "create"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "School meals for Preston primary schools" in page and "North Preston schools" in page
    assert "PR1 2HE (Preston)" in page and "no postcode given" not in page


def test_a_tender_without_a_postcode_says_where_it_is_matched(client, session, ref):
    _, officer = _buyer(session, ref)
    client.sign_in(officer.email)
    response = client.post("/tenders/new", dict(VALID, delivery_postcode=""))
    assert response.status_code == 302
    tender = session.exec(select(Tender)).one()
    assert tender.delivery_postcode in (None, "")
    page = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert tender.local_authority_code == "E07000123"  # the council's own area
    assert "Matched as in Preston (no postcode given)" in page


def test_bad_tender_input_names_each_field_and_stores_nothing(client, session, ref):
    _, officer = _buyer(session, ref)
    client.sign_in(officer.email)
    bad = dict(VALID, title="", description="", cpv_codes="4500000 99999999",
               value="lots", delivery_postcode="PR1", deadline="2027-02-30",
               **{"lots-0-cpv_codes": "123"})
    response = client.post("/tenders/new", bad)
    body = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    for message in ["Enter a title for the tender.", "Describe what you are buying",
                    "'4500000' is not a CPV code", "Enter an amount in pounds, like £250,000.",
                    "Enter a real date, like 27 March 2027.",
                    "not just the first half", "'123' is not a CPV code"]:
        assert message in body, message
    # An amount that cannot be read says so, and not also that it must be £0 or more.
    assert "Enter a value of £0 or more" not in body and "Not a valid" not in body
    form = client.get("/tenders/new").get_data(as_text=True)
    assert "maxlength" not in form  # a browser would cut a pasted text without a word
    assert 'data-character-limit="500"' in form and 'aria-describedby="title-count"' in form
    too_long = client.post("/tenders/new", dict(VALID, title="Grass cutting " * 40))
    assert "Title must be 500 characters or fewer: this is 560." in html.unescape(
        too_long.get_data(as_text=True))
    assert session.exec(select(Tender)).all() == []


def test_boxes_left_blank_are_not_known_not_errors(client, session, ref):
    _, officer = _buyer(session, ref)
    client.sign_in(officer.email)
    blank = dict(VALID, value="", deadline="", published_date=" ", contract_start="",
                 **{"lots-0-value": ""})
    response = client.post("/tenders/new", blank)
    assert response.status_code == 302, html.unescape(response.get_data(as_text=True))[:2000]
    tender = session.exec(select(Tender)).one()
    assert (tender.value, tender.deadline, tender.contract_start) == (None, None, None)


def test_officer_says_how_a_tender_is_let(client, session, ref):
    _, officer = _buyer(session, ref)
    client.sign_in(officer.email)
    form = html.unescape(client.get("/tenders/new").get_data(as_text=True))
    assert "How is it let?" in form and "A dynamic purchasing system (DPS)" in form
    response = client.post("/tenders/new", dict(VALID, arrangement="nonsense"))
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert "Not a valid choice" not in page  # WTForms' words, naming no field
    assert ('<li><a href="#arrangement">Choose one of the options given for “How is it let”.'
            '</a></li>') in page
    page = html.unescape(client.post("/tenders/new", dict(VALID, status="closed")).get_data(
        as_text=True))
    assert "Choose one of the options given for “Status”." in page  # a radio button too
    assert session.exec(select(Tender)).all() == []
    response = client.post("/tenders/new", dict(VALID, arrangement="dps"))
    assert response.status_code == 302
    tender = session.exec(select(Tender)).one()
    assert tender.arrangement == "dps"
    page = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "How it is let" in page and "A dynamic purchasing system (DPS)" in page
    # The edit form shows what was said; choosing "Not stated" leaves it to the words.
    edit = client.get(f"/tenders/{tender.id}/edit").get_data(as_text=True)
    assert '<option selected value="dps">' in edit
    assert client.get("/api/tenders").get_json()["tenders"][0]["arrangement"] == "dps"
    client.post(f"/tenders/{tender.id}/edit", dict(VALID, arrangement=""))
    session.refresh(tender)
    assert tender.arrangement == ""
    page = html.unescape(client.get(f"/tenders/{tender.id}").get_data(as_text=True))
    assert "Not stated: matched as one contract" in page
    # Not stated, a tender whose words say what it is is shown as matched.
    client.post(f"/tenders/{tender.id}/edit", dict(VALID, title="School meals framework 2027"))
    page = html.unescape(client.get(f"/tenders/{tender.id}").get_data(as_text=True))
    assert "A framework agreement, as read from its title and description" in page
    assert client.get("/api/tenders").get_json()["tenders"][0]["arrangement"] is None


def test_the_service_refuses_a_way_of_letting_it_does_not_know(session, ref):
    from coopmatch.services.tenders import TenderError

    _, officer = _buyer(session, ref)
    with pytest.raises(TenderError) as refused:
        create_tender(session, ref, officer, arrangement="auction")
    assert refused.value.field == "arrangement" and "'auction' is not a way" in str(refused.value)
    session.rollback()
    assert session.exec(select(Tender)).all() == []


def test_an_amount_that_is_no_amount_is_refused_at_its_field(client, session, ref):
    _, officer = _buyer(session, ref)
    client.sign_in(officer.email)
    for written in ("Infinity", "NaN", "sNaN", "1e400", "£2,000,000,000,000"):
        for field in ("value", "lots-0-value"):
            response = client.post("/tenders/new", dict(VALID, **{field: written}))
            body = html.unescape(response.get_data(as_text=True))
            assert response.status_code == 400, (field, written)
            assert "Enter an amount in pounds under £1 trillion, like £250,000." in body
    assert session.exec(select(Tender)).all() == []
    # The largest frameworks are still amounts.
    assert client.post("/tenders/new", dict(VALID, value="£50,000,000,000")).status_code == 302
    assert session.exec(select(Tender)).one().value == 50_000_000_000


def test_contract_end_before_start_is_refused(client, session, ref):
    _, officer = _buyer(session, ref)
    client.sign_in(officer.email)
    response = client.post("/tenders/new", dict(VALID, contract_start="2027-04-01",
                                                contract_end="2027-03-01"))
    assert response.status_code == 400
    body = html.unescape(response.get_data(as_text=True))
    assert "The contract end date must be after its start date." in body
    assert session.exec(select(Tender)).all() == []


def test_officer_edits_and_closes_own_tender(client, session, ref):
    _, officer = _buyer(session, ref)
    tender = create_tender(session, ref, officer)
    client.sign_in(officer.email)
    response = client.post(f"/tenders/{tender.id}/edit",
                           dict(VALID, title="Office cleaning 2027", **{"lots-0-title": ""}))
    assert response.status_code == 302
    session.refresh(tender)
    assert tender.title == "Office cleaning 2027" and tender.lots == []
    assert client.post(f"/tenders/{tender.id}/close").status_code == 302
    session.refresh(tender)
    assert tender.status == "closed"


def test_wrong_owner_and_wrong_role_cannot_change_a_tender(client, session, ref):
    _, officer = _buyer(session, ref)
    tender = create_tender(session, ref, officer)
    _, other_officer = _buyer(session, ref, name="Chorley Borough Council")
    supplier_user = create_user(session, role="supplier")
    agency = create_user(session, role="agency")
    for intruder in (other_officer, supplier_user, agency):
        client.sign_in(intruder.email)
        edit = client.post(f"/tenders/{tender.id}/edit", dict(VALID, title="Hijacked"))
        close = client.post(f"/tenders/{tender.id}/close")
        assert edit.status_code == 403, intruder.role
        assert close.status_code == 403, intruder.role
        assert client.get(f"/tenders/{tender.id}/edit").status_code == 403
        client.sign_out()
    session.refresh(tender)
    assert tender.title == "Cleaning of council offices" and tender.status == "open"
    for intruder in (supplier_user, agency):
        client.sign_in(intruder.email)
        assert client.post("/tenders/new", VALID).status_code == 403
        client.sign_out()
    assert len(session.exec(select(Tender)).all()) == 1


def test_visitors_are_sent_to_sign_in(client, session, ref):
    _, officer = _buyer(session, ref)
    tender = create_tender(session, ref, officer)
    for url in ("/tenders/new", f"/tenders/{tender.id}/edit"):
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    assert client.post(f"/tenders/{tender.id}/close").status_code == 302
    session.refresh(tender)
    assert tender.status == "open"


def test_tender_list_search_filters_and_pagination(app, client, session, ref):
    _, officer = _buyer(session, ref)
    create_tender(session, ref, officer, title="Grounds maintenance", cpv_codes="77314000",
                  delivery_postcode="PR1 2HE")
    create_tender(session, ref, officer, title="Office cleaning", cpv_codes="90910000",
                  delivery_postcode="M1 1AE")
    closed = create_tender(session, ref, officer, title="Old cleaning", cpv_codes="90910000")
    closed.status = "closed"
    session.add(closed)
    session.commit()
    body = client.get("/tenders/?q=grounds").get_data(as_text=True)
    assert "Grounds maintenance" in body and "Office cleaning" not in body
    body = client.get("/tenders/?cpv=90").get_data(as_text=True)
    assert "Office cleaning" in body and "Grounds maintenance" not in body
    assert "Old cleaning" not in body  # open tenders by default
    assert "Old cleaning" in client.get("/tenders/?status=").get_data(as_text=True)
    from datetime import date, timedelta

    late = create_tender(session, ref, officer, title="Late cleaning", cpv_codes="90910000",
                         deadline=date.today() - timedelta(days=3))
    body = client.get("/tenders/?q=cleaning").get_data(as_text=True)
    assert body.count("Deadline passed") == 1  # still "open" at its source, but not biddable
    assert "Deadline passed" in client.get(f"/tenders/{late.id}").get_data(as_text=True)
    listed = client.get("/api/tenders?q=cleaning").get_json()["tenders"]
    assert [t["deadline_passed"] for t in listed if t["id"] == late.id] == [True]
    body = client.get("/tenders/?area=E10000017").get_data(as_text=True)  # Lancashire
    assert "Grounds maintenance" in body and "Office cleaning" not in body
    assert client.get("/tenders/?area=lancashire").get_data(as_text=True).count(
        "Office cleaning") == 0
    refused = client.get("/tenders/?area=Atlantis")
    assert refused.status_code == 400 and 'id="area-error"' in refused.get_data(as_text=True)
    api = client.get("/api/tenders?area=Atlantis")
    assert api.status_code == 400 and api.get_json()["field"] == "area"
    app.config["PAGE_SIZE"] = 1
    body = client.get("/tenders/?status=&page=2").get_data(as_text=True)
    assert "Page 2 of 4" in body


def test_a_list_narrowed_to_one_status_says_what_the_others_hold(client, session, ref):
    """The list shows open tenders unless asked otherwise; a search whose other matches are
    closed or awarded says so, and links to them all, rather than looking nearly empty."""
    _, officer = _buyer(session, ref)
    create_tender(session, ref, officer, title="Office cleaning")
    for title, status in [("Old cleaning", "closed"), ("Window cleaning", "awarded"),
                          ("Depot cleaning", "awarded")]:
        create_tender(session, ref, officer, title=title, status=status)
    create_tender(session, ref, officer, title="Grounds maintenance", status="awarded",
                  description="Mowing and hedges.")
    body = html.unescape(client.get("/tenders/?q=cleaning").get_data(as_text=True))
    assert "1 tender, showing 1 to 1" in body
    note = body.split('id="other-statuses">')[1].split("</p>")[0]
    assert note.startswith("3 more tenders match in other statuses (1 closed, 2 awarded)")
    link = note.split('href="')[1].split('"')[0]
    assert link == "/tenders/?q=cleaning&status="
    body = client.get(link).get_data(as_text=True)
    assert "4 tenders, showing 1 to 4" in body and 'id="other-statuses"' not in body
    # A status chosen is narrowed the same way; one other match is said in the singular.
    body = html.unescape(client.get("/tenders/?q=old&status=awarded").get_data(as_text=True))
    assert "0 tenders" in body and "1 more tender matches in other statuses (1 closed)" in body
    assert "No tenders match" not in body  # they do, in another status
    assert "No tenders match" in client.get("/tenders/?q=nowhere").get_data(as_text=True)
    # Where the other statuses hold nothing more, nothing is said.
    body = client.get("/tenders/?q=mowing&status=awarded").get_data(as_text=True)
    assert "1 tender, showing" in body and 'id="other-statuses"' not in body


def test_tender_search_reads_percent_and_underscore_as_typed(client, session, ref):
    _, officer = _buyer(session, ref)
    create_tender(session, ref, officer, title="100% renewable electricity supply")
    create_tender(session, ref, officer, title="1000 school uniforms")
    create_tender(session, ref, officer, title="Upgrade of the CCTV_02 cameras")
    create_tender(session, ref, officer, title="CCTV 02 maintenance")
    body = client.get("/tenders/?q=100%25").get_data(as_text=True)
    assert "100% renewable" in body and "1000 school uniforms" not in body
    body = client.get("/tenders/?q=cctv_02").get_data(as_text=True)
    assert "CCTV_02 cameras" in body and "CCTV 02 maintenance" not in body


def test_tenders_are_listed_in_the_order_asked_for_on_the_page_and_through_the_api(
        client, session, ref):
    from datetime import date, timedelta

    _, officer = _buyer(session, ref)
    today = date.today()
    for title, days, value, published in [
        ("Laundry", 30, 50_000.0, 5),             # closes in a month
        ("Catering", 3, 900_000.0, 20),           # closes in three days
        ("Grounds", None, None, 1),               # gives no deadline, nor a value
        ("Cleaning", -2, 120_000.0, 40),          # passed two days ago
        ("Printing", -60, 10_000.0, 90),          # passed two months ago
        ("Transport", 400, 20_000.0, 100),        # awarded: its deadline is not to come
    ]:
        create_tender(session, ref, officer, title=f"{title} services", value=value,
                      deadline=today + timedelta(days=days) if days is not None else None,
                      published_date=today - timedelta(days=published),
                      status="awarded" if title == "Transport" else "open")

    def listed(sort):
        page = html.unescape(client.get(f"/tenders/?status=&sort={sort}").get_data(
            as_text=True))
        rows = page.split("<tbody>")[1].split("</tbody>")[0]
        titles = re.findall(r'<a href="/tenders/\d+">(\w+) services</a>', rows)
        api = client.get(f"/api/tenders?status=&sort={sort}").get_json()["tenders"]
        assert [t["title"].split()[0] for t in api] == titles
        return titles

    assert listed("newest") == ["Grounds", "Laundry", "Catering", "Cleaning", "Printing",
                                "Transport"]
    assert listed("closing") == ["Catering", "Laundry", "Grounds", "Transport", "Cleaning",
                                 "Printing"]
    assert listed("value") == ["Catering", "Cleaning", "Laundry", "Transport", "Printing",
                               "Grounds"]
    page = client.get("/tenders/?sort=closing").get_data(as_text=True)
    assert '<option selected value="closing">Closing soonest</option>' in page
    # Newest first unless asked; an order there is none of is refused, naming the field.
    assert client.get("/tenders/?status=").get_data(as_text=True).index("Grounds services") < \
        client.get("/tenders/?status=").get_data(as_text=True).index("Laundry services")
    refused = client.get("/tenders/?sort=cheapest")
    assert refused.status_code == 400
    assert "'cheapest' is not a way to order tenders; use one of: newest, match, closing, value." \
        in html.unescape(refused.get_data(as_text=True))
    api = client.get("/api/tenders?sort=cheapest")
    assert api.status_code == 400 and api.get_json()["field"] == "sort"


def test_a_search_by_words_lists_the_best_match_first_unless_another_order_is_chosen(
        client, session, ref):
    from datetime import date, timedelta

    _, officer = _buyer(session, ref)
    today = date.today()
    for title, description, age in [
        ("Business rates advice", "Advice on business rates appeals.", 1),
        ("Minibus hire", "Hire of minibuses with drivers.", 2),
        ("School transport", "Home to school bus routes for pupils.", 3),
        ("Bus shelter repairs", "Repairs to shelters across the borough.", 4),
        ("Office cleaning", "Cleaning of council offices.", 5),
    ]:
        create_tender(session, ref, officer, title=title, description=description,
                      published_date=today - timedelta(days=age))

    def titles(url):
        page = html.unescape(client.get(url).get_data(as_text=True))
        return re.findall(r'<a href="/tenders/\d+">([^<]+)</a>', page.split("<tbody>")[1])

    # "bus" as a word of the title first, then inside a title's word, then in a description.
    best = ["Bus shelter repairs", "Business rates advice", "Minibus hire", "School transport"]
    assert titles("/tenders/?q=bus") == best
    assert [t["title"] for t in client.get("/api/tenders?q=bus").get_json()["tenders"]] == best
    page = client.get("/tenders/?q=bus").get_data(as_text=True)
    assert '<option selected value="match">Best match for the words</option>' in page
    assert titles("/tenders/?q=bus&sort=newest") == [
        "Business rates advice", "Minibus hire", "School transport", "Bus shelter repairs"]
    # Without words the list is newest first.
    assert titles("/tenders/")[0] == "Business rates advice"
    assert '<option selected value="newest">Newest first</option>' in client.get(
        "/tenders/").get_data(as_text=True)
