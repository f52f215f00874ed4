from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField


class LedgerUploadForm(FlaskForm):
    anchor = SelectField("Anchor", coerce=int, choices=[])
    file = FileField("Payment ledger", validators=[FileRequired("Choose a ledger file.")])
