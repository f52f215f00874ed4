"""Journeys in real Chromium: the pages as a person uses them, JavaScript included."""

import pytest
from sqlmodel import select

from coopmatch.models import Supplier, Tender, User
from tests.factories import PASSWORD, create_organisation, create_user

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
    page.get_by_label("Real Living Wage employer").check()
    page.get_by_role("button", name="Register").click()

    page.get_by_role("heading", name="Ribble Catering Co-operative").wait_for()
    assert page.get_by_text("Your business is in the register.").is_visible()
    supplier = session.exec(select(Supplier)).one()
    assert supplier.cpv_list == ["55523100"] and supplier.postcode == "PR1 3NN"
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
    page.get_by_label("Delivery postcode").fill("PR1 2HE")
    page.get_by_role("button", name="Post tender").click()

    page.get_by_role("heading", name="Grounds maintenance of Preston parks").wait_for()
    assert page.get_by_text("77314000 Grounds maintenance services").is_visible()
    tender = session.exec(select(Tender)).one()
    assert tender.cpv_list == ["77314000"] and tender.value == 450_000
    assert tender.buyer_id == council.id


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
