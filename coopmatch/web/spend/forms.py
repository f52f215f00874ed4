from flask_wtf.file import FileRequired, MultipleFileField
from wtforms import Form, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from coopmatch.models import OWNERSHIP_MODELS
from coopmatch.spend.columns import header_key
from coopmatch.web.forms import CoopmatchForm, MaxLength

# The columns a user may name when a ledger's header is not recognised (role, label).
NAMED_COLUMNS = (
    ("date", "Date column"),
    ("amount", "Amount column"),
    ("supplier", "Supplier column"),
    ("expense_type", "Expense type column"),
)


class LedgerUploadForm(CoopmatchForm):
    anchor = SelectField("Anchor", coerce=int, choices=[])
    file = MultipleFileField(
        "Payment ledgers", validators=[FileRequired("Choose a ledger file.")]
    )
    date_column = StringField("Date column", validators=[Optional(), MaxLength(120)])
    amount_column = StringField("Amount column", validators=[Optional(), MaxLength(120)])
    supplier_column = StringField("Supplier column", validators=[Optional(), MaxLength(120)])
    expense_type_column = StringField(
        "Expense type column", validators=[Optional(), MaxLength(120)]
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        seen: dict[str, str] = {}
        for role, label in NAMED_COLUMNS:
            field = getattr(self, f"{role}_column")
            name = header_key(field.data)  # as the reader compares headings
            if not name:
                continue
            if name in seen:
                field.errors = [*field.errors, f"'{field.data.strip()}' is already named as the "
                                               f"{seen[name].lower()}: a column holds one thing."]
                valid = False
            seen.setdefault(name, label)
        return valid

    def columns(self) -> dict[str, str]:
        """Return role -> the header the user named, for the roles named."""
        named = {}
        for role, _label in NAMED_COLUMNS:
            value = (getattr(self, f"{role}_column").data or "").strip()
            if value:
                named[role] = value
        return named


class AddPayeeForm(CoopmatchForm):
    """A ledger's payee added to the register where it is based."""

    ledger_name_id = HiddenField(validators=[DataRequired()])
    name = StringField("Supplier name", validators=[DataRequired("Give the supplier's name."),
                                                    MaxLength(200)])
    postcode = StringField("Postcode", validators=[
        DataRequired("Give the postcode where the supplier is based."), MaxLength(10)])
    ownership = SelectField("Ownership model", choices=list(OWNERSHIP_MODELS.items()),
                            default="unknown")  # a ledger says nothing about it
    # Started from what the anchors paid it for; matching and gap reports read it.
    description = TextAreaField("What it does", validators=[Optional(), MaxLength(2000)])


class PlaceSupplierForm(CoopmatchForm):
    """A register supplier whose location is not known, placed where it is based."""

    supplier_id = HiddenField(validators=[DataRequired()])
    postcode = StringField("Postcode where it is based", validators=[
        DataRequired("Give the postcode where the supplier is based."), MaxLength(10)])


class PayeeFilterForm(Form):
    """Which ledger names the payees page and the review queue list (GET, so no CSRF
    token)."""

    anchor = SelectField("Paid by", validate_choice=False)
    q = StringField("Name")
