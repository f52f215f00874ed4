from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField

from coopmatch.imports.formats import FORMATS
from coopmatch.web.forms import CoopmatchForm


class UploadForm(CoopmatchForm):
    file = FileField("File", validators=[FileRequired("Choose a file to import.")])
    format = SelectField("Format", choices=[("", "Recognise it from the file")] + [
        (name, spec.label) for name, spec in FORMATS.items()], default="")


class StartForm(CoopmatchForm):
    skip_invalid = BooleanField("Import the good rows and list the rejected ones "
                                "(otherwise any problem stops the whole import)")
    dry_run = BooleanField("Dry run: report what would change, change nothing")
