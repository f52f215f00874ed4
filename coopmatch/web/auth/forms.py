from wtforms import EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from coopmatch.services.accounts import MIN_PASSWORD_LENGTH
from coopmatch.web.forms import CoopmatchForm, MaxLength, int_or_zero

SIGN_UP_ROLES = [
    ("supplier", "A supplier: a co-operative, social enterprise or local business"),
    ("procurement", "A buyer: a procurement officer at an anchor institution"),
    ("agency", "A development agency: co-op or community wealth building support"),
]


class SignUpForm(CoopmatchForm):
    name = StringField("Your name", validators=[DataRequired("Enter your name."),
                                                MaxLength(200)])
    email = EmailField("Email address", validators=[
        DataRequired("Enter your email address."),
        Email("Enter an email address in the correct format, like name@example.coop."),
        MaxLength(320),
    ])
    password = PasswordField("Password", validators=[
        DataRequired("Enter a password."),
        Length(min=MIN_PASSWORD_LENGTH,
               message=f"Enter a password of at least {MIN_PASSWORD_LENGTH} characters."),
    ])
    confirm = PasswordField("Confirm password", validators=[
        DataRequired("Enter your password again."),
        EqualTo("password", "The passwords do not match."),
    ])
    role = RadioField("I am", choices=SIGN_UP_ROLES, default="supplier",
                      validators=[DataRequired("Choose what kind of account you need.")])
    organisation_id = SelectField("Organisation", coerce=int_or_zero, validate_choice=False)

    def validate_organisation_id(self, field):
        if self.role.data in {"procurement", "agency"}:
            valid = {value for value, _ in field.choices if value}
            if field.data not in valid:
                raise ValidationError("Choose the organisation you work for.")


class SignInForm(CoopmatchForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address.")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])
