from wtforms import (
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, NumberRange, Optional

from coopmatch.models import ARRANGEMENTS, RECURRENCE, LotCreate, TenderCreate
from coopmatch.web.forms import (
    CoopmatchForm,
    CPVField,
    DayField,
    MaxLength,
    MoneyField,
    Postcode,
    int_or_zero,
)

DATE_HINT = "For example, 27 March 2027"


class LotForm(Form):
    title = StringField("Lot title", validators=[Optional(), MaxLength(500)])
    description = TextAreaField("What this lot covers", validators=[Optional()])
    value = MoneyField("Estimated value (£)", places=2, validators=[
        Optional(), NumberRange(min=0, message="Enter a value of £0 or more.")])
    cpv_codes = CPVField("CPV codes for this lot", validators=[Optional()])


class TenderForm(CoopmatchForm):
    buyer_id = SelectField("Buying organisation", coerce=int_or_zero,
                           validate_choice=False)
    title = StringField("Title", validators=[
        DataRequired("Enter a title for the tender."), MaxLength(500)])
    description = TextAreaField("Description", validators=[
        DataRequired("Describe what you are buying, so suppliers can tell if it fits them.")])
    cpv_codes = CPVField("CPV codes")
    value = MoneyField("Estimated total value (£)", places=2, validators=[
        Optional(), NumberRange(min=0, message="Enter a value of £0 or more.")])
    arrangement = SelectField("How is it let?", choices=list(ARRANGEMENTS.items()), default="")
    status = RadioField("Status", choices=[("open", "Open for bids"),
                                           ("planned", "Planned (early market engagement)")],
                        default="open")
    published_date = DayField("Published", validators=[Optional()])
    deadline = DayField("Deadline for bids", validators=[Optional()])
    delivery_postcode = StringField("Delivery postcode", validators=[Postcode()])
    delivery_area = StringField("Delivery area", validators=[Optional(), MaxLength(200)])
    contract_start = DayField("Contract start", validators=[Optional()])
    contract_end = DayField("Contract end", validators=[Optional()])
    recurrence = RadioField("Is this a recurring need?", choices=list(RECURRENCE.items()),
                            default="one_off")
    social_value = TextAreaField("Social value asks", validators=[Optional()])
    lots = FieldList(FormField(LotForm), min_entries=1, max_entries=20)

    def to_data(self) -> TenderCreate:
        lots = [
            LotCreate(
                title=lot.title.data or "",
                description=lot.description.data or "",
                value=float(lot.value.data) if lot.value.data is not None else None,
                cpv_codes=lot.cpv_codes.data or "",
            )
            for lot in (entry.form for entry in self.lots)
        ]
        return TenderCreate(
            title=self.title.data,
            description=self.description.data,
            cpv_codes=self.cpv_codes.data or "",
            value=float(self.value.data) if self.value.data is not None else None,
            arrangement=self.arrangement.data or "",
            status=self.status.data,
            published_date=self.published_date.data,
            deadline=self.deadline.data,
            delivery_postcode=self.delivery_postcode.data,
            delivery_area=self.delivery_area.data or None,
            contract_start=self.contract_start.data,
            contract_end=self.contract_end.data,
            recurrence=self.recurrence.data,
            social_value=self.social_value.data or "",
            buyer_id=(self.buyer_id.data or None) if "buyer_id" in self else None,
            lots=lots,
        )


class FilterForm(Form):
    """The tender list's search and filters (GET, so no CSRF token)."""

    q = StringField("Search")
    status = SelectField("Status", validate_choice=False)
    cpv = SelectField("CPV division", validate_choice=False)
    buyer = SelectField("Buyer", validate_choice=False)
    area = StringField("Area")
    sort = SelectField("Order", validate_choice=False)
