from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange
from wtforms.widgets import HiddenInput

from coopmatch.models import ORGANISATION_KINDS, ROLES, OrganisationCreate
from coopmatch.services.accounts import MIN_PASSWORD_LENGTH
from coopmatch.web.forms import CoopmatchForm, MaxLength, Postcode, int_or_zero
from coopmatch.web.imports.forms import UploadForm


class OrganisationForm(CoopmatchForm):
    name = StringField("Name", validators=[DataRequired("Enter the organisation's name."),
                                           MaxLength(300)])
    kind = SelectField("Kind", choices=list(ORGANISATION_KINDS.items()), default="council")
    postcode = StringField("Postcode", validators=[Postcode()])

    def to_data(self) -> OrganisationCreate:
        return OrganisationCreate(name=self.name.data, kind=self.kind.data,
                                  postcode=self.postcode.data)


class UserForm(CoopmatchForm):
    name = StringField("Name", validators=[DataRequired("Enter the person's name.")])
    email = EmailField("Email address", validators=[
        DataRequired("Enter an email address."),
        Email("Enter an email address in the correct format, like name@example.gov.uk.")])
    password = PasswordField("Temporary password", validators=[
        DataRequired("Enter a temporary password."),
        Length(min=MIN_PASSWORD_LENGTH,
               message=f"Enter a password of at least {MIN_PASSWORD_LENGTH} characters.")])
    role = SelectField("Role", choices=list(ROLES.items()))
    organisation_id = SelectField("Organisation", coerce=int_or_zero,
                                  validate_choice=False)


class UserUpdateForm(CoopmatchForm):
    role = SelectField("Role", choices=list(ROLES.items()))
    organisation_id = SelectField("Organisation", coerce=int_or_zero,
                                  validate_choice=False)
    active = SelectField("Account", choices=[("1", "Active"), ("0", "Deactivated")])


class MergeForm(CoopmatchForm):
    """Fold one supplier (other_id) into another (keep_id)."""

    keep_id = IntegerField(validators=[DataRequired()], widget=HiddenInput())
    other_id = IntegerField(validators=[DataRequired()], widget=HiddenInput())


class OrganisationMergeForm(CoopmatchForm):
    """Fold another organisation, the same body under another name, into this one."""

    other_id = SelectField("Organisation to merge into this one", coerce=int_or_zero,
                           validators=[NumberRange(min=1, message="Choose the organisation "
                                                   "to merge into this one.")])
    confirm = BooleanField("I have checked that both are the same body",
                           validators=[DataRequired("Confirm that both are the same body.")])


class LocateForm(UploadForm):
    """A file of notices or register rows to place suppliers with no postcode from (its format
    chosen as an import's is)."""

    file = FileField("File", validators=[FileRequired("Choose a file of notices or suppliers.")])
    dry_run = BooleanField("Only list who would be placed; change nothing")
