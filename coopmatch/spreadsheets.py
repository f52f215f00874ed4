"""CSV files for people to open in a spreadsheet: text that a spreadsheet would run as a
formula ("=HYPERLINK(...)" as a supplier's name) is written with an apostrophe before it, so
it is shown, not run. The supplier importer takes the apostrophe off again."""

import csv

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value):
    """Return a cell's value as a spreadsheet shows it rather than runs it ("=1+1" -> "'=1+1");
    numbers and other text are unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def from_spreadsheet_cell(text: str) -> str:
    """Undo `spreadsheet_cell` on text read back from such a file."""
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


class SafeWriter:
    """csv.writer whose rows go through `spreadsheet_cell`."""

    def __init__(self, handle, **options):
        self._writer = csv.writer(handle, **options)

    def writerow(self, values):
        return self._writer.writerow([spreadsheet_cell(v) for v in values])


class SafeDictWriter(csv.DictWriter):
    """csv.DictWriter whose values go through `spreadsheet_cell`."""

    def writerow(self, rowdict):
        return super().writerow({k: spreadsheet_cell(v) for k, v in rowdict.items()})

    def writerows(self, rowdicts):
        for row in rowdicts:
            self.writerow(row)
