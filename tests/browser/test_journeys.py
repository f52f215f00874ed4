"""Journeys in real Chromium: the pages as a person uses them, JavaScript included."""

import socket
import subprocess
import sys

import pytest
from sqlmodel import select

from coopmatch.models import ImportJob, Supplier, Tender, User
from coopmatch.services import jobs
from tests.factories import (
    PASSWORD,
    create_organisation,
    create_supplier,
    create_tender,
    create_user,
)

pytestmark = pytest.mark.browser


def test_supplier_signs_up_and_registers_capabilities(page, session):
    page.goto("/")
    page.get_by_role("link", name="Create an account").first.click()
    page.get_by_label("A supplier").check()
    page.get_by_label("Your name").fill("Ana Worker")
    page.get_by_label("Email address").fill("ana@ribble.example.coop")
    page.get_by_label("Password", exact=True).fill("a long enough password")
    page.get_by_label("Confirm password").fill("a long enough password")
    page.get_by_role("button", name="Create account").click()

    page.get_by_role("heading", name="Register your business").wait_for()
    page.get_by_label("Business name").fill("Ribble Catering Co-operative")
    page.get_by_label("What you do").fill(
        "Worker co-op: school meals and care-home catering across Preston.")
    page.get_by_label("Postcode").fill("pr1 3nn")
    page.get_by_label("Ownership model").select_option("worker_coop")
    # The CPV picker finds a code by words as you type.
    page.get_by_label("Find a CPV code by words").first.fill("school meal")
    option = page.get_by_role("option", name="55523100 School-meal services")
    option.click()
    assert "55523100" in page.get_by_label("CPV codes", exact=True).input_value()
    # So does the SIC picker, by the words of the Companies House list.
    page.get_by_label("Find a SIC code by words").fill("cafes")
    page.get_by_role("option", name="56102 Unlicenced restaurants and cafes").click()
    assert page.get_by_label("SIC codes", exact=True).input_value() == "56102"
    page.get_by_label("Real Living Wage employer").check()
    page.get_by_role("button", name="Register").click()

    page.get_by_role("heading", name="Ribble Catering Co-operative").wait_for()
    assert page.get_by_text("Your business is in the register.").is_visible()
    supplier = session.exec(select(Supplier)).one()
    assert supplier.cpv_list == ["55523100"] and supplier.postcode == "PR1 3NN"
    assert supplier.sic_list == ["56102"]
    user = session.exec(select(User).where(User.email == "ana@ribble.example.coop")).one()
    assert user.supplier_id == supplier.id


def test_procurement_officer_posts_a_tender_with_cpv_codes(page, session, ref):
    council = create_organisation(session, ref)
    officer = create_user(session, role="procurement", organisation=council,
                          email="buyer@preston.example.gov.uk")
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(officer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Post a tender").click()

    page.get_by_label("Title", exact=True).fill("Grounds maintenance of Preston parks")
    page.get_by_label("Description", exact=True).fill(
        "Grass cutting, hedges and litter in 40 parks.")
    page.get_by_label("Find a CPV code by words").first.fill("grounds maintenance")
    page.get_by_role("option", name="77314000 Grounds maintenance services").click()
    page.get_by_label("Estimated total value (£)").fill("£450,000")
    page.get_by_label("How is it let?").select_option(label="A framework agreement")
    page.get_by_label("Delivery postcode").fill("PR1 2HE")
    page.get_by_role("button", name="Post tender").click()

    page.get_by_role("heading", name="Grounds maintenance of Preston parks").wait_for()
    assert page.get_by_text("77314000 Grounds maintenance services").is_visible()
    assert page.get_by_text("A framework agreement").is_visible()
    tender = session.exec(select(Tender)).one()
    assert tender.cpv_list == ["77314000"] and tender.value == 450_000
    assert tender.arrangement == "framework"
    assert tender.buyer_id == council.id


def test_cpv_codes_are_suggested_from_the_title_and_description(page, session, ref):
    council = create_organisation(session, ref)
    officer = create_user(session, role="procurement", organisation=council)
    sign_in(page, officer.email)
    page.get_by_role("link", name="Post a tender").click()
    # The title names the work; the description alone ("care homes") would not.
    page.get_by_label("Title", exact=True).fill("Laundry services")
    page.get_by_label("Description", exact=True).fill("Twice a week for six care homes in Preston.")
    page.get_by_role("button", name="Suggest codes from what you have written").first.click()
    option = page.get_by_role("option", name="98311200 Laundry-operation services (suggested)")
    option.click()
    assert "98311200" in page.get_by_label("CPV codes", exact=True).input_value()
    # A plain phrase of the work is marked likely; the laundry's codes share their confidence.
    page.get_by_label("Title", exact=True).fill("Grounds maintenance")
    page.get_by_label("Description", exact=True).fill("")
    page.get_by_role("button", name="Suggest codes from what you have written").first.click()
    page.get_by_role("option", name="77314000 Grounds maintenance services (suggested, likely)",
                     exact=True).wait_for()
    assert page.get_by_role("option", name="likely").count() == 1


def test_the_suggest_button_says_when_it_has_nothing_to_suggest(page, session, ref):
    council = create_organisation(session, ref)
    officer = create_user(session, role="procurement", organisation=council)
    sign_in(page, officer.email)
    page.get_by_role("link", name="Post a tender").click()
    suggest = page.get_by_role("button", name="Suggest codes from what you have written").first
    note = page.locator(".cpv-picker__note").first
    assert not note.is_visible()
    suggest.click()  # nothing written yet: said on the page, not only to a screen reader
    assert note.is_visible() and note.inner_text() == "Write a few words about the work first"
    page.get_by_label("Title", exact=True).fill("Co-op")  # how a firm is owned, not the work
    suggest.click()
    page.wait_for_function("document.querySelector('.cpv-picker__note').textContent"
                           ".startsWith('Nothing to suggest')")
    codes = page.get_by_role("listbox", name="Matching CPV codes").first.get_by_role("option")
    assert note.is_visible() and codes.count() == 0
    page.get_by_label("Title", exact=True).fill("Laundry services")
    suggest.click()
    codes.first.wait_for()
    assert "(suggested)" in codes.first.inner_text()
    assert not note.is_visible()


def test_bad_postcode_shows_the_error_summary(page, session):
    create_user(session, role="supplier", email="s@example.coop")
    page.goto("/sign-in")
    page.get_by_label("Email address").fill("s@example.coop")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Register your business").wait_for()
    page.get_by_label("Business name").fill("Somewhere Ltd")
    page.get_by_label("What you do").fill("We do many useful things for local buyers.")
    page.get_by_label("Postcode").fill("PR1")
    page.get_by_role("button", name="Register").click()

    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    summary.wait_for()
    link = summary.get_by_role("link", name="Enter a full UK postcode, like PR1 2HE")
    assert link.is_visible()
    # The summary takes focus, and its link moves focus to the field.
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    link.click()
    assert page.evaluate("document.activeElement.id") == "postcode"
    assert page.title().startswith("Error:")
    assert session.exec(select(Supplier)).all() == []


def test_a_long_pasted_title_is_kept_whole_and_counted(page, session, ref):
    council = create_organisation(session, ref)
    officer = create_user(session, role="procurement", organisation=council)
    sign_in(page, officer.email)
    page.get_by_role("link", name="Post a tender").click()
    title = page.get_by_label("Title", exact=True)
    count = page.locator("#title-count")
    # Far below the limit the count is for screen readers only; near it, shown.
    def shown() -> bool:
        return "visually-hidden" not in count.get_attribute("class").split()

    assert count.text_content() == "You can enter up to 500 characters" and not shown()
    title.fill("Grounds maintenance")
    assert count.text_content() == "You have 481 characters remaining" and not shown()
    title.fill("x" * 450)
    assert count.inner_text() == "You have 50 characters remaining" and shown()
    pasted = "Grass cutting " * 40  # 560 characters: a browser's maxlength would cut it
    title.fill(pasted)
    assert len(title.input_value()) == 560
    assert count.inner_text() == "You have 60 characters too many" and shown()
    page.get_by_label("Description", exact=True).fill("Grass cutting in 40 parks.")
    page.get_by_role("button", name="Post tender").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    summary.get_by_role("link", name="Title must be 500 characters or fewer: this is 560.") \
        .wait_for()
    # Nothing typed is lost: the whole title is back in the box, still counted.
    assert page.get_by_label("Title", exact=True).input_value() == pasted
    assert count.inner_text() == "You have 60 characters too many" and shown()
    assert session.exec(select(Tender)).all() == []


def sign_in(page, email: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_officer_sees_local_suppliers_ranked_with_reasons_and_narrows_them(page, session, ref):
    from tests.factories import create_supplier, create_tender

    council = create_organisation(session, ref)
    officer = create_user(session, role="procurement", organisation=council)
    tender = create_tender(session, ref, officer, title="School meals for Preston primaries",
                           description="Hot school meals cooked fresh for 12 primary schools.",
                           cpv_codes="55523100", delivery_postcode="PR1 2HE")
    create_supplier(session, ref, name="Ribble Kitchens Co-operative", postcode="PR1 3NN",
                    ownership="worker_coop", cpv_codes="55523100",
                    description="Worker co-op cooking hot school meals for primary schools.")
    create_supplier(session, ref, name="Leeds School Catering Ltd", postcode="LS1 1BA",
                    ownership="sme", cpv_codes="55523100",
                    description="Hot school meals cooked fresh for primary schools.")
    create_supplier(session, ref, name="Preston Print Shop", postcode="PR1 1HT",
                    ownership="sme", cpv_codes="79810000", description="Leaflets and posters.")
    create_supplier(session, ref, name="Lancashire County Council School Kitchens",
                    postcode="PR1 8XJ", ownership="public_body", cpv_codes="55523100",
                    description="The county council's in-house school meals service.")
    sign_in(page, officer.email)
    page.goto(f"/tenders/{tender.id}")
    table = page.get_by_role("table", name="Suppliers ranked by how well they fit, best first")
    rows = table.get_by_role("row")
    rows.nth(1).wait_for()
    # Leeds's description is the tender's own words; Ribble's is close, and it is near.
    top_two = rows.nth(1).inner_text() + rows.nth(2).inner_text()
    assert "Ribble Kitchens Co-operative" in top_two and "Leeds School Catering Ltd" in top_two
    assert "Shared key terms" in rows.nth(1).inner_text()
    assert "Preston Print Shop" not in top_two
    # A public body is listed, says what it is, and can be left out.
    kitchens = table.get_by_role("row").filter(has_text="School Kitchens")
    assert "It is a public body, not a business." in kitchens.inner_text()
    page.get_by_label("Leave out public bodies").check()
    page.get_by_role("button", name="Update").click()
    page.wait_for_url("**without_public_bodies=1**")
    firms = page.get_by_role("table", name="Suppliers ranked by how well they fit, best first")
    assert "Ribble Kitchens Co-operative" in firms.inner_text()
    assert "School Kitchens" not in firms.inner_text()
    assert page.get_by_label("Leave out public bodies").is_checked()
    page.get_by_label("Leave out public bodies").uncheck()
    page.get_by_label("Local only").check()
    page.get_by_role("button", name="Update").click()
    page.wait_for_url("**local_only=1**")
    narrowed = page.get_by_role("table", name="Suppliers ranked by how well they fit, best first")
    assert "Ribble Kitchens Co-operative" in narrowed.inner_text()
    assert "Leeds School Catering Ltd" not in narrowed.inner_text()
    # An area typed by name works; a mistyped one is said at the field, the tender kept.
    page.get_by_label("Local only").uncheck()
    page.get_by_label("Area", exact=True).fill("Lancshire")
    page.get_by_role("button", name="Update").click()
    page.wait_for_url("**area=Lancshire**")
    assert "Did you mean Lancashire?" in page.locator("#match-area-error").inner_text()
    assert page.get_by_role("heading", name="School meals for Preston primaries").is_visible()
    page.get_by_label("Area", exact=True).fill("Lancashire")
    page.get_by_role("button", name="Update").click()
    page.wait_for_url("**area=Lancashire**")
    in_area = page.get_by_role("table", name="Suppliers ranked by how well they fit, best first")
    assert "Ribble Kitchens Co-operative" in in_area.inner_text()
    assert "Leeds School Catering Ltd" not in in_area.inner_text()
    # The list as it stands downloads as a shortlist to invite quotes from.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these suppliers as a shortlist (CSV)").click()
    shortlist = open(download.value.path(), encoding="utf-8").read()
    assert shortlist.startswith("rank,supplier_id,supplier_name,fit")
    assert "Ribble Kitchens Co-operative" in shortlist and "Leeds School" not in shortlist


def test_agency_imports_a_payment_ledger_and_sees_the_anchor_spend(page, session, ref, tmp_path):
    from coopmatch.models import Payment

    council = create_organisation(session, ref, name="Hyndburn Borough Council",
                                  postcode="BB5 1LA")
    agency = create_user(session, role="agency")
    ledger = tmp_path / "spend-april.csv"
    ledger.write_text("Name,Paid On,Net Amount,Account Detail\n"
                      "Accrington Joinery Ltd,15/04/2024,\"£1,000.00\",Repairs\n"
                      "Pendle Print Co-op,20/04/2024,500.00,Printing\n")
    sign_in(page, agency.email)
    page.get_by_role("link", name="Spend").first.click()
    page.get_by_role("link", name="Import a payment ledger").click()
    page.get_by_label("Anchor").select_option(label="Hyndburn Borough Council")
    page.get_by_label("Payment ledger").set_input_files(str(ledger))
    page.get_by_role("button", name="Upload and preview").click()
    # "Paid On" is not a date heading the reader knows: it says so, quoting the file's first
    # row, and opens the place to name the columns.
    page.get_by_text("the first row reads 'Name', 'Paid On'").first.wait_for()
    page.get_by_label("Date column").fill("Paid On")
    # Two months' files chosen at once.
    may = tmp_path / "spend-may.csv"
    may.write_text("Name,Paid On,Net Amount,Account Detail\n"
                   "Burnley Catering Co-op,02/05/2024,750.00,Catering\n")
    page.get_by_label("Payment ledger").set_input_files([str(ledger), str(may)])
    page.get_by_role("button", name="Upload and preview").click()

    page.get_by_role("heading", name="The first payments").wait_for()
    assert page.get_by_text("Read with the columns you named: date from “Paid On”").is_visible()
    assert page.get_by_text("3 payments read from 2 files").is_visible()
    assert page.get_by_role("cell", name="Accrington Joinery Ltd").is_visible()
    assert page.get_by_role("cell", name="spend-may.csv").is_visible()
    assert session.exec(select(Payment)).all() == []
    page.get_by_role("button", name="Import").click()
    page.get_by_text("Imported 2 ledger file(s) for Hyndburn Borough Council").wait_for()
    assert len(session.exec(select(Payment)).all()) == 3
    page.get_by_role("link", name="See Hyndburn Borough Council's spend").click()
    page.get_by_role("heading", name="Hyndburn Borough Council").first.wait_for()
    assert f"/spend/anchors/{council.id}" in page.url


def test_visitor_downloads_the_register_as_filtered(page, session, ref):
    import csv
    import io

    from tests.factories import create_supplier

    create_supplier(session, ref, name="Preston Cleaning Co-operative")
    create_supplier(session, ref, name="Manchester Builders Ltd", ownership="sme",
                    postcode="M1 1AE")
    page.goto("/suppliers/")
    page.get_by_label("Area").fill("Preston")
    page.get_by_role("button", name="Apply").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these 1 supplier (CSV)").click()
    assert download.value.suggested_filename == "supplier-register.csv"
    with open(download.value.path(), encoding="utf-8") as handle:
        rows = list(csv.DictReader(io.StringIO(handle.read())))
    assert [(r["name"], r["postcode"], r["ownership"]) for r in rows] == [
        ("Preston Cleaning Co-operative", "PR1 3NN", "worker_coop")]


def test_admin_merges_a_supplier_listed_twice(page, session, ref):
    from tests.factories import create_supplier

    create_supplier(session, ref, name="APF Renovations", postcode=None)
    twice = create_supplier(session, ref, name="APF Renovation", postcode=None)
    twice_id = twice.id
    admin = create_user(session, role="admin")
    sign_in(page, admin.email)
    page.get_by_role("link", name="Admin", exact=True).click()
    page.get_by_role("link", name="Duplicate suppliers").click()
    row = page.locator("#duplicates tbody tr", has_text="APF Renovation")
    assert row.count() == 1
    row.get_by_role("button", name="Merge : keep APF Renovations").click()
    page.get_by_text("Merged into APF Renovations.").wait_for()
    assert page.get_by_text("No supplier looks listed twice.").is_visible()
    session.expire_all()
    assert session.get(Supplier, twice_id) is None
    # A mistake is undone from the same page.
    merged = page.locator("#merges tbody tr", has_text="APF Renovation")
    merged.get_by_role("button", name="Undo the merge of APF Renovation into APF Renovations"
                       ).click()
    page.get_by_text("APF Renovation is back in the register").wait_for()
    assert page.get_by_text("No merges to undo.").is_visible()
    assert page.locator("#duplicates tbody tr", has_text="APF Renovation").count() == 1
    session.expire_all()
    assert session.get(Supplier, twice_id) is not None


def test_admin_marks_two_firms_that_only_look_alike_as_two(page, session, ref):
    from coopmatch.models import DistinctPair

    create_supplier(session, ref, name="Motus Commercials", postcode=None)
    create_supplier(session, ref, name="Motus Commercials Derby", postcode=None)
    admin = create_user(session, role="admin")
    sign_in(page, admin.email)
    page.goto("/admin/duplicates")
    row = page.locator("#duplicates tbody tr", has_text="Motus Commercials Derby")
    row.get_by_role("button", name="Not the same").click()
    page.get_by_text("as two suppliers: they are no longer offered for merging").wait_for()
    assert page.get_by_text("No supplier looks listed twice.").is_visible()
    assert session.exec(select(DistinctPair)).one().kind == "supplier"
    page.locator("#distinct-pairs tbody tr", has_text="Motus Commercials Derby").get_by_role(
        "button", name="Undo").click()
    page.get_by_text("may be offered for merging again").wait_for()
    assert page.locator("#duplicates tbody tr", has_text="Motus Commercials Derby").count() == 1
    session.expire_all()
    assert session.exec(select(DistinctPair)).all() == []


def _unplaced_winner_and_notices(session, tmp_path):
    """A winner with no address, and a file of notices that gives its company's postcode:
    (its id, the file)."""
    from coopmatch.names import normalise_name

    coating = Supplier(name="Coating Services Limited", source="award", ownership="sme",
                       normalised_name=normalise_name("Coating Services Limited"))
    session.add(coating)
    session.commit()
    coating_id = coating.id
    notices = tmp_path / "uk-awards.csv"
    notices.write_text("source,record_id,buyer_name,title,supplier_name,supplier_postcode,"
                       "num_suppliers_on_award\n"
                       "cf,n1,Oldham Council,Road surfacing,COATING SERVICES LTD,OL1 3RU,1\n")
    return coating_id, notices


def test_admin_places_suppliers_from_a_file_of_notices(page, session, ref, tmp_path):
    coating_id, notices = _unplaced_winner_and_notices(session, tmp_path)
    sign_in(page, create_user(session, role="admin").email)
    page.get_by_role("link", name="Admin", exact=True).click()
    page.get_by_role("link", name="Place suppliers").click()
    # No file chosen: the error summary says so.
    page.get_by_role("button", name="Place suppliers").click()
    page.get_by_text("Choose a file of notices or suppliers.").first.wait_for()
    page.get_by_label("File").set_input_files(str(notices))
    page.get_by_label("Only list who would be placed; change nothing").check()
    page.get_by_role("button", name="Place suppliers").click()
    page.get_by_role("heading", name="Would place 1 of the 1 supplier with").wait_for()
    session.expire_all()
    assert session.get(Supplier, coating_id).postcode is None
    page.get_by_label("File").set_input_files(str(notices))
    page.get_by_role("button", name="Place suppliers").click()
    page.get_by_role("heading", name="Placed 1 of the 1 supplier with").wait_for()
    page.get_by_role("link", name="Coating Services Limited").click()
    page.get_by_text("OL1 3RU").first.wait_for()
    session.expire_all()
    assert session.get(Supplier, coating_id).postcode == "OL1 3RU"


def test_admin_places_suppliers_from_a_large_file_in_the_background(app, page, session, ref,
                                                                    tmp_path):
    app.config["IMPORT_BACKGROUND_BYTES"] = 0  # every file counts as large
    coating_id, notices = _unplaced_winner_and_notices(session, tmp_path)
    sign_in(page, create_user(session, role="admin").email)
    page.goto("/admin/locate")
    page.get_by_label("File").set_input_files(str(notices))
    page.get_by_role("button", name="Place suppliers").click()
    # The job's page: its progress while it runs, then (reloaded) who was placed.
    page.get_by_text("Place suppliers · ").first.wait_for()
    page.get_by_role("heading", name="Placed 1 of the 1 supplier with").wait_for(timeout=60_000)
    page.get_by_role("link", name="Coating Services Limited").click()
    page.get_by_text("OL1 3RU").first.wait_for()
    session.expire_all()
    assert session.get(Supplier, coating_id).postcode == "OL1 3RU"


def test_admin_removes_a_record_that_is_no_firm(page, session, ref):
    from coopmatch.names import normalise_name

    junk = Supplier(name="Tender abandoned", source="award", ownership="unknown",
                    normalised_name=normalise_name("Tender abandoned"))
    session.add(junk)
    session.commit()
    junk_id = junk.id
    sign_in(page, create_user(session, role="admin").email)
    page.goto(f"/suppliers/{junk_id}")
    page.get_by_role("heading", name="Remove from the register").wait_for()
    page.get_by_role("button", name="Remove Tender abandoned").click()
    page.get_by_text("Confirm that this is no firm to keep.").first.wait_for()
    session.expire_all()
    assert session.get(Supplier, junk_id) is not None
    page.get_by_label("I have checked that this is no firm to keep in the register").check()
    page.get_by_role("button", name="Remove Tender abandoned").click()
    page.get_by_text("Tender abandoned is removed from the register").wait_for()
    session.expire_all()
    assert session.get(Supplier, junk_id) is None
    # A mistake can be undone, from the page the message links to.
    page.get_by_role("link", name="Recent removals").click()
    page.get_by_role("button", name="Undo the removal of Tender abandoned").click()
    page.get_by_text("Tender abandoned is back in the register").wait_for()
    assert page.get_by_role("heading", name="Tender abandoned").is_visible()
    session.expire_all()
    assert session.get(Supplier, junk_id) is not None


def test_admin_merges_an_organisation_listed_twice(page, session, ref):
    from coopmatch.models import Organisation

    create_organisation(session, ref, name="Lancashire Teaching Hospitals NHS Foundation Trust",
                        kind="nhs", postcode="PR2 9HT")
    initials = create_organisation(session, ref, name="LTHTR", kind="nhs", postcode=None)
    initials_id = initials.id
    admin = create_user(session, role="admin")
    sign_in(page, admin.email)
    page.get_by_role("link", name="Admin", exact=True).click()
    page.get_by_role("link", name="Organisations").click()
    page.get_by_role("link", name="Change Lancashire Teaching Hospitals NHS Foundation "
                     "Trust").click()
    page.get_by_label("Organisation to merge into this one").select_option(label="LTHTR")
    merge = page.get_by_role("button", name="Merge into Lancashire Teaching Hospitals")
    merge.click()  # not yet confirmed: nothing happens but an error
    page.get_by_role("link", name="Confirm that both are the same body.").wait_for()
    assert page.get_by_label("Name").input_value() == ("Lancashire Teaching Hospitals NHS "
                                                       "Foundation Trust")  # still filled
    page.get_by_label("I have checked that both are the same body").check()
    page.get_by_role("button", name="Merge into Lancashire Teaching Hospitals").click()
    page.get_by_text("Merged LTHTR into Lancashire Teaching Hospitals NHS Foundation Trust"
                     ).wait_for()
    assert page.get_by_text("Also goes by: LTHTR.").is_visible()
    session.expire_all()
    assert session.get(Organisation, initials_id) is None


def test_agency_adds_a_payee_to_the_register_and_its_spend_is_placed(page, session, ref,
                                                                      tmp_path):
    from coopmatch.services import spend

    council = create_organisation(session, ref, name="Hyndburn Borough Council",
                                  postcode="BB5 1LA")
    ledger = tmp_path / "spend.csv"
    ledger.write_text("Name,Payment date,Net Amount,Account Detail\n"
                      "Pendle Print Co-op,20/04/2024,500.00,Printing\n"
                      "Accrington Joinery,21/04/2024,200.00,Repairs\n")
    spend.import_ledgers(session, anchor=council, paths=[ledger])
    agency = create_user(session, role="agency")
    sign_in(page, agency.email)
    page.get_by_role("link", name="Spend").first.click()
    page.get_by_role("link", name="Add payees to the register").click()
    row = page.locator("tbody tr", has_text="Pendle Print Co-op")
    assert row.get_by_label("Supplier name").input_value() == "Pendle Print Co-op"
    # A ledger says nothing of a payee's ownership: not known unless the agency knows better.
    assert row.get_by_label("Ownership model").input_value() == "unknown"
    row.get_by_label("Postcode").fill("not a postcode")
    row.get_by_role("button", name="Add to the register").click()
    page.get_by_text("There is a problem").wait_for()
    row = page.locator("tbody tr", has_text="Pendle Print Co-op")
    assert row.get_by_label("Postcode").input_value() == "not a postcode"
    # What it does starts from what the anchors paid it for, for the agency to put in words.
    what = row.get_by_label("What it does")
    assert what.input_value() == "Paid by anchors for: Printing."
    what.fill("Worker co-op printing leaflets, reports and posters.")
    row.get_by_label("Postcode").fill("BB9 7AA")
    row.get_by_label("Ownership model").select_option(label="Worker co-operative")
    row.get_by_role("button", name="Add to the register").click()
    page.get_by_text("Pendle Print Co-op (BB9 7AA) added to the register").wait_for()
    assert page.locator("tbody tr", has_text="Pendle Print Co-op").count() == 0
    assert page.locator("tbody tr", has_text="Accrington Joinery").count() == 1
    session.expire_all()
    added = session.exec(select(Supplier).where(Supplier.name == "Pendle Print Co-op")).one()
    assert (added.ownership, added.source) == ("worker_coop", "ledger")
    assert added.description == "Worker co-op printing leaflets, reports and posters."


def test_agency_places_a_matched_supplier_from_its_anchors_spend(page, session, ref, tmp_path):
    from coopmatch.services import spend

    council = create_organisation(session, ref, name="Hyndburn Borough Council",
                                  postcode="BB5 1LA")
    # An award notice's winner: in the register with no address.
    session.add(Supplier(name="Schofield and Sons Ltd", normalised_name="schofield and sons",
                         source="award"))
    session.commit()
    ledger = tmp_path / "spend.csv"
    ledger.write_text("Name,Payment date,Net Amount,Account Detail\n"
                      "SCHOFIELD AND SONS LTD,20/04/2024,2000.00,Works\n")
    spend.import_ledgers(session, anchor=council, paths=[ledger])
    sign_in(page, create_user(session, role="agency").email)
    page.goto(f"/spend/anchors/{council.id}")
    page.get_by_text("Matched but not placed: £2,000 (100%)").wait_for()
    page.get_by_role("link", name="Place them").click()
    row = page.locator("tbody tr", has_text="Schofield and Sons Ltd")
    row.get_by_label("Postcode where it is based").fill("BB5 1AA")
    row.get_by_role("button", name="Place it").click()
    page.get_by_text("Schofield and Sons Ltd placed at BB5 1AA").wait_for()
    # Back on the list it was placed from: the council's.
    assert page.get_by_text("No suppliers not placed paid by Hyndburn Borough Council."
                            ).is_visible()
    assert page.get_by_label("Paid by").input_value() == str(council.id)
    page.goto(f"/spend/anchors/{council.id}")
    assert page.locator(".stats li", has_text="with local suppliers").inner_text().startswith(
        "100.0%")  # all of it is now with a supplier in Hyndburn
    assert page.get_by_text("Matched but not placed").count() == 0


def test_agency_leaves_payments_to_public_bodies_out_of_an_anchors_spend(page, session, ref,
                                                                          tmp_path):
    from coopmatch.services import spend

    council = create_organisation(session, ref, name="Hyndburn Borough Council",
                                  postcode="BB5 1LA")
    ledger = tmp_path / "spend.csv"
    ledger.write_text("Name,Payment date,Net Amount,Account Detail\n"
                      "LANCASHIRE COUNTY COUNCIL (Direct Debit Payments),20/04/2024,3000.00,"
                      "Precept\n"
                      "Accrington Joinery Ltd,21/04/2024,1000.00,Repairs\n")
    spend.import_ledgers(session, anchor=council, paths=[ledger], ref=ref)
    sign_in(page, create_user(session, role="agency").email)
    page.goto(f"/spend/anchors/{council.id}")
    # The county council the ledger pays is placed in its county and told apart.
    page.get_by_text("With public bodies: £3,000 (75%), £3,000 of it in the wider area").wait_for()
    assert page.locator(".stats li", has_text="analysed spend").inner_text().startswith("£4,000")
    page.get_by_label("Leave out payments to public bodies").check()
    page.get_by_role("button", name="Show").click()
    page.get_by_text("Payments to public bodies are left out of these figures.").wait_for()
    assert "without_public_bodies=1" in page.url
    assert page.locator(".stats li", has_text="analysed spend").inner_text().startswith("£1,000")
    assert page.get_by_label("Leave out payments to public bodies").is_checked()


def test_agency_counts_only_firms_as_local_supply_in_a_gap_report(page, session, ref):
    council = create_organisation(session, ref, name="Preston City Council")
    officer = create_user(session, role="procurement", organisation=council)
    text = "Laundry and linen washing for care homes and hospital wards."
    for year in (2023, 2024):
        create_tender(session, ref, officer, title=f"Laundry services {year}", description=text,
                      cpv_codes="98310000", value=300_000.0, status="open",
                      recurrence="recurring", delivery_postcode="PR1 2HE",
                      published_date=f"{year}-01-10", contract_start=f"{year}-04-01",
                      contract_end=f"{year + 1}-03-31")
    create_supplier(session, ref, name="Lancashire Teaching Hospitals Linen Services",
                    postcode="PR2 9HT", description=text, cpv_codes="98310000",
                    ownership="public_body", max_contract_value=2_000_000.0)
    sign_in(page, create_user(session, role="agency").email)
    page.goto("/gaps/?area=Lancashire")
    page.get_by_role("heading", name="Every gap").wait_for()
    assert page.get_by_text("CPV 983").count() == 0  # the trust's own laundry meets it
    page.get_by_label("Count only firms as local supply").check()
    page.get_by_role("button", name="Show the report").click()
    page.get_by_text("Only firms count as local supply here").wait_for()
    assert "without_public_bodies=1" in page.url
    assert page.get_by_label("Count only firms as local supply").is_checked()
    page.locator("tr", has_text="CPV 983").get_by_role("link").click()
    page.get_by_text("Laundry services 2024").first.wait_for()
    assert "without_public_bodies=1" in page.url  # the card is the firms-only report's


def test_a_reviewer_must_choose_before_a_ledger_name_is_decided(page, session, ref, tmp_path):
    from coopmatch.models import LedgerName
    from coopmatch.services import spend

    council = create_organisation(session, ref, name="Hyndburn Borough Council",
                                  postcode="BB5 1LA")
    create_supplier(session, ref, name="Manchester Cleaning Services Ltd", postcode="M1 1AE")
    ledger = tmp_path / "spend.csv"
    ledger.write_text("Name,Payment date,Net Amount,Account Detail\n"
                      "Manchester Cleaning,20/04/2024,2000.00,Cleaning\n")
    spend.import_ledgers(session, anchor=council, paths=[ledger], ref=ref)
    row = session.exec(select(LedgerName)).one()
    assert row.status == "review"
    sign_in(page, create_user(session, role="agency").email)
    page.goto("/spend/review")
    form = page.locator("tbody form").first
    # Nothing is chosen for the reviewer, and saving without a choice is stopped.
    assert form.locator("input[type=radio]:checked").count() == 0
    form.get_by_role("button", name="Save decision").click()
    assert form.locator("input[type=radio]").first.evaluate("e => e.validationMessage")
    session.refresh(row)
    assert row.status == "review"
    form.get_by_label("Manchester Cleaning Services Ltd").check()
    form.get_by_role("button", name="Save decision").click()
    page.get_by_text("'Manchester Cleaning' confirmed.").wait_for()
    session.refresh(row)
    assert row.status == "confirmed"


def test_a_supplier_says_a_ledger_name_matched_to_it_is_not_it(page, session, ref, tmp_path):
    from coopmatch.models import LedgerName
    from coopmatch.services import spend

    council = create_organisation(session, ref, name="Hyndburn Borough Council",
                                  postcode="BB5 1LA")
    joinery = create_supplier(session, ref, name="Accrington Joinery Ltd", postcode="BB5 1AA")
    ledger = tmp_path / "spend.csv"
    ledger.write_text("Name,Payment date,Net Amount,Account Detail\n"
                      "ACCRINGTON JOINERY LTD,20/04/2024,1500.00,Repairs\n")
    spend.import_ledgers(session, anchor=council, paths=[ledger], ref=ref)
    row = session.exec(select(LedgerName)).one()
    assert (row.status, row.supplier_id) == ("auto", joinery.id)
    sign_in(page, joinery.users[0].email)
    page.goto(f"/suppliers/{joinery.id}")
    payees = page.locator("#payees")
    payees.get_by_role("heading", name="Payments matched to you").wait_for()
    line = payees.locator("tr", has_text="ACCRINGTON JOINERY LTD")
    assert "£1,500" in line.inner_text() and "Hyndburn Borough Council" in line.inner_text()
    line.get_by_role("button", name="ACCRINGTON JOINERY LTD is not us").click()
    page.get_by_text("'ACCRINGTON JOINERY LTD' no longer counts as yours").wait_for()
    line = payees.locator("tr", has_text="ACCRINGTON")
    assert "Said not to be this supplier" in line.inner_text()
    session.refresh(row)
    assert row.status == "disputed"
    # A slip of the mouse is taken back before anyone has decided.
    line.get_by_role("button", name="Undo: ACCRINGTON JOINERY LTD is us after all").click()
    page.get_by_text("'ACCRINGTON JOINERY LTD' counts as yours again.").wait_for()
    assert "Matched automatically" in payees.locator("tr", has_text="ACCRINGTON").inner_text()
    session.refresh(row)
    assert row.status == "auto"


def test_pages_fit_a_phone_screen(page, session, ref):
    """At 375 px wide (a small phone) nothing runs off the side: labels sit above their values,
    tables fit, and menus wrap."""
    from tests.factories import create_supplier, create_tender

    council = create_organisation(session, ref)
    officer = create_user(session, role="procurement", organisation=council)
    tender = create_tender(
        session, ref, officer, title="Catering services for residential care homes (framework)",
        description="Breakfast, lunch and tea for residents of eight care homes, with menus for "
        "special diets, three years from April 2027.", cpv_codes="55520000",
        delivery_postcode="PR1 2HE", value=1_850_000)
    owner = create_user(session, role="supplier")
    supplier = create_supplier(
        session, ref, user=owner, name="Ribble Valley Catering and Community Cafés Co-operative",
        postcode="PR1 3NN", ownership="worker_coop", cpv_codes="55520000 55523100 55330000",
        description="Worker co-op: school meals, hospital and care-home catering, community "
        "cafés and event catering using Lancashire produce.")
    admin = create_user(session, role="admin")
    page.set_viewport_size({"width": 375, "height": 800})
    for who, paths in ((owner, [f"/suppliers/{supplier.id}", f"/tenders/{tender.id}"]),
                       (admin, ["/admin/duplicates", "/tenders/"])):
        sign_in(page, who.email)
        for path in paths:
            page.goto(path)
            assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
        page.get_by_role("button", name="Sign out").click()
    # The summary list stacks: a label's value starts below it, not beside it.
    page.goto(f"/suppliers/{supplier.id}")
    label, value = page.locator(".summary-list__row").first.locator("dt, dd").all()
    assert value.bounding_box()["y"] > label.bounding_box()["y"]


def test_an_import_page_shows_when_its_server_stopped_and_offers_to_start_again(
        page, session, tmp_path):
    agency = create_user(session, role="agency")
    path = tmp_path / "register.csv"
    path.write_text("name,postcode\nPreston Cleaning Co-op,PR1 2HE\n")
    # An import run by another web process on this machine, which is still alive...
    runner = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        job = ImportJob(user_id=agency.id, format="suppliers", filename="register.csv",
                        stored_path=str(path), size_bytes=path.stat().st_size,
                        status="running",
                        runner=f"process:{socket.gethostname()}:{runner.pid}:"
                               f"{jobs._started(runner.pid)}")
        session.add(job)
        session.commit()
        sign_in(page, agency.email)
        page.goto(f"/imports/{job.id}")
        page.get_by_text("Importing", exact=True).wait_for()
        page.get_by_label("Progress").wait_for()
    finally:
        runner.kill()  # ...until it stops, as on a restart
        runner.wait()
    # The page, polling the job's progress, sees it and shows the import ready to start again.
    page.get_by_role("alert").filter(
        has_text="The import stopped before it finished").wait_for(timeout=15_000)
    page.get_by_role("button", name="Import").click()
    page.get_by_text("1 created").first.wait_for()
    session.expire_all()
    assert session.exec(select(Supplier)).one().name == "Preston Cleaning Co-op"
