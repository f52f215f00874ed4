"""Fields and validators shared by the forms: postcodes, CPV codes, money."""

from decimal import Decimal

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, IntegerField, StringField
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import TextInput

from coopmatch.errors import CoopmatchError
from coopmatch.geo import normalise_postcode
from coopmatch.reference import current as current_reference
from coopmatch.services.pagination import Page

# WTForms' words for a choice the form did not offer (only a tampered or stale page sends
# one): they name no field, and the error summary shows them alone.
_NOT_OFFERED = ("Not a valid choice", "Invalid Choice: could not coerce",
                "Invalid choice(s): one or more data inputs could not be coerced")


def _not_offered(error: str) -> bool:
    return error.startswith(_NOT_OFFERED) or error.endswith("is not a valid choice for this field.")


class CoopmatchForm(FlaskForm):
    """The base of every form: CSRF (FlaskForm), and a choice that was not offered refused
    in plain words that name the field ("Choose one of the options given for “Anchor”.")."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not valid:
            _name_refused_choices(self)
        return valid

    unavailable = False

    def refuse(self, error: CoopmatchError, field: str = "file") -> None:
        """Show a service's refusal at a field (an upload's, as a rule)."""
        target = getattr(self, field)
        target.errors = [*target.errors, error.message]
        self.unavailable = self.unavailable or error.status_code >= 500

    @property
    def page_status(self) -> int:
        """The page's status: 503 when the server could not do it (its disk full), 400 for
        input to correct, else 200."""
        return 503 if self.unavailable else 400 if self.errors else 200


def _name_refused_choices(form) -> None:
    for field in form:
        if hasattr(field, "entries"):  # a list of fields or of subforms
            for entry in field.entries:
                if hasattr(entry, "form"):
                    _name_refused_choices(entry.form)
                else:
                    _rename(entry)
        elif hasattr(field, "form") and hasattr(field.form, "_fields"):  # a subform
            _name_refused_choices(field.form)
        else:
            _rename(field)


def _rename(field) -> None:
    if any(_not_offered(e) for e in field.errors if isinstance(e, str)):
        label = field.label.text.rstrip(" ?:")
        field.errors = [f"Choose one of the options given for “{label}”."
                        if isinstance(e, str) and _not_offered(e) else e for e in field.errors]


class Postcode:
    """Validate and normalise a UK postcode; optional unless required=True."""

    def __init__(self, required: bool = False):
        self.required = required

    def __call__(self, form, field):
        value = (field.data or "").strip()
        if not value:
            if self.required:
                raise StopValidation(f"Enter the {field.label.text.lower()}.")
            field.data = None
            return
        try:
            field.data = normalise_postcode(value)
        except CoopmatchError as error:
            raise StopValidation(error.message) from error


class MaxLength:
    """At most `limit` characters, said with the field's name and the length given ("Title
    must be 500 characters or fewer: this is 612."), not WTForms' "Field cannot be longer".

    The box carries no maxlength, which would cut a pasted text silently: the form shows a
    character count instead (GOV.UK's pattern; the `character_limit` flag)."""

    def __init__(self, limit: int):
        self.limit = limit
        self.field_flags = {"character_limit": limit}

    def __call__(self, form, field):
        length = len(field.data or "")
        if length > self.limit:
            raise ValidationError(f"{field.label.text} must be {self.limit:,} characters or "
                                  f"fewer: this is {length:,}.")


class CPVCodes:
    """Validate a list of CPV codes against the vocabulary; store them space-separated."""

    def __call__(self, form, field):
        try:
            codes = current_reference().cpv.normalise_many(field.data or "")
        except CoopmatchError as error:
            raise StopValidation(error.message) from error
        field.data = " ".join(codes)


class CPVField(StringField):
    """A CPV code list with the as-you-type picker attached in the template."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, [*(validators or []), CPVCodes()], **kwargs)


class _ReadFirst:
    """A field whose text must first be read as a number or date: one that cannot be says
    only that (`unread`), not also what the range validators say of a missing value."""

    unread = ""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(self.unread or str(error)) from None

    def pre_validate(self, form):
        # Something typed that cannot be read: that error alone is shown. Left blank, the
        # validators decide (Optional clears the reading error of an empty box).
        if self.process_errors and any(str(v).strip() for v in self.raw_data or []):
            raise StopValidation()
        super().pre_validate(form)


class WholeNumberField(_ReadFirst, IntegerField):
    unread = "Enter a whole number, like 12."


class DayField(_ReadFirst, DateField):
    unread = "Enter a real date, like 27 March 2027."


class MoneyField(_ReadFirst, DecimalField):
    """A £ amount that accepts "£1,200" and "1200" (a text box, as GOV.UK advises), and
    refuses what no amount is ("Infinity", "NaN", "1e400") or more than any contract is."""

    widget = TextInput()
    LARGEST = Decimal(10) ** 12  # £1 trillion: above every public contract and framework
    unread = "Enter an amount in pounds, like £250,000."

    def __call__(self, **kwargs):
        kwargs.setdefault("inputmode", "decimal")
        return super().__call__(**kwargs)

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [v.replace("£", "").replace(",", "").strip() for v in valuelist]
        super().process_formdata(valuelist)
        if self.data is not None and (not self.data.is_finite() or abs(self.data) >= self.LARGEST):
            self.data = None
            raise ValueError(self.gettext("Enter an amount in pounds under £1 trillion, like "
                                          "£250,000."))


def int_or_zero(value) -> int:
    """Coerce a select's value to an id, with 0 for "none chosen"."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def page_size() -> int:
    return current_app.config["PAGE_SIZE"]


def filtered_page(search, *, field: str = "area"):
    """Run a list's search; return (page, message). Where the service refuses what was typed
    into `field` (an area there is none of), the page is empty and the message is shown at
    that field, so the filters stay on screen to correct."""
    try:
        return search(), None
    except CoopmatchError as error:
        if error.field != field:
            raise
        return Page(items=[], total=0, page=1, page_size=page_size()), error.message
