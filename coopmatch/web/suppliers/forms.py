from wtforms import (
    BooleanField,
    EmailField,
    Form,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from coopmatch.errors import InvalidSIC
from coopmatch.models import (
    ACCREDITATIONS,
    OWNERSHIP_MODELS,
    SUPPLIER_STATUSES,
    TURNOVER_BANDS,
    SupplierCreate,
)
from coopmatch.sic import parse_sic_codes
from coopmatch.web.forms import (
    CoopmatchForm,
    CPVField,
    MaxLength,
    MoneyField,
    Postcode,
    WholeNumberField,
)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SupplierForm(CoopmatchForm):
    name = StringField("Business name", validators=[
        DataRequired("Enter the name of your business."), MaxLength(300)])
    description = TextAreaField("What you do", validators=[
        DataRequired("Describe what your business does, so buyers can find you."),
        Length(min=20, message="Describe what your business does in at least 20 characters.")])
    postcode = StringField("Postcode", validators=[Postcode(required=True)])
    ownership = SelectField("Ownership model", choices=list(OWNERSHIP_MODELS.items()),
                            default="sme")
    legal_form = StringField("Legal form", validators=[Optional(), MaxLength(120)])
    registration_number = StringField("Registration number", validators=[
        Optional(), MaxLength(40)])
    employees = WholeNumberField("Number of employees", validators=[
        Optional(), NumberRange(min=0, max=1_000_000,
                                message="Enter the number of employees as a whole number.")])
    turnover_band = SelectField("Annual turnover", choices=[("", "Prefer not to say")] + [
        (k, v[0]) for k, v in TURNOVER_BANDS.items()], default="")
    max_contract_value = MoneyField("Largest contract you could take on (£)", places=0,
                                    validators=[Optional(), NumberRange(
                                        min=0, message="Enter a value of £0 or more.")])
    cpv_codes = CPVField("CPV codes")
    sic_codes = StringField("SIC codes", validators=[Optional(), MaxLength(200)])
    accreditations = MultiCheckboxField("Accreditations", choices=list(ACCREDITATIONS.items()))
    service_radius_km = WholeNumberField("How far you will travel to deliver (km)", validators=[
        Optional(), NumberRange(min=0, max=2000, message="Enter a distance from 0 to 2,000 km.")])
    website = URLField("Website", validators=[
        Optional(), URL(message="Enter a web address, like https://example.coop."),
        MaxLength(300)])
    contact_email = EmailField("Contact email", validators=[
        Optional(), Email("Enter an email address in the correct format, like name@example.coop.")])
    contact_phone = StringField("Contact phone", validators=[Optional(), MaxLength(40)])
    succession_risk = BooleanField("An owner plans to retire or step back in the next five years")
    status = SelectField("Status", choices=list(SUPPLIER_STATUSES.items()), default="active")

    def validate_sic_codes(self, field):
        try:
            field.data = " ".join(parse_sic_codes(field.data))
        except InvalidSIC as error:
            raise ValidationError(error.message + ".") from error

    def to_data(self) -> SupplierCreate:
        return SupplierCreate(
            name=self.name.data,
            description=self.description.data,
            postcode=self.postcode.data,
            ownership=self.ownership.data,
            legal_form=self.legal_form.data or None,
            registration_number=(self.registration_number.data or "").strip().upper() or None,
            employees=self.employees.data,
            turnover_band=self.turnover_band.data or None,
            max_contract_value=(float(self.max_contract_value.data)
                                if self.max_contract_value.data is not None else None),
            cpv_codes=self.cpv_codes.data or "",
            sic_codes=self.sic_codes.data or "",
            accreditations=" ".join(self.accreditations.data or []),
            service_radius_km=self.service_radius_km.data,
            website=self.website.data or None,
            contact_email=self.contact_email.data or None,
            contact_phone=self.contact_phone.data or None,
            succession_risk=bool(self.succession_risk.data),
            status=self.status.data,
        )


class FilterForm(Form):
    q = StringField("Search")
    ownership = SelectField("Ownership model", validate_choice=False)
    area = StringField("Area")
    cpv = SelectField("CPV division", validate_choice=False)


class RemoveForm(CoopmatchForm):
    """Remove a supplier that is no firm to keep (administrators)."""

    confirm = BooleanField("I have checked that this is no firm to keep in the register",
                           validators=[DataRequired("Confirm that this is no firm to keep.")])
