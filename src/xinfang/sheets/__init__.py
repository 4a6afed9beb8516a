"""The office's spreadsheets in and out: 台账 workbooks and CSV to cases, cases to Excel.

A 台账 (one row per matter) becomes cases through a mapping file
(:func:`load_mapping`, :func:`default_mapping`): :func:`read_sheet` reads
CSV (UTF-8, GBK, GB18030), ``.xlsx``, ``.xls`` and ``.ods`` and finds the
header; :func:`cases_from_table` turns each data row into a case through
:func:`xinfang.procedure.apply`, or into :class:`RowProblem` s naming the
sheet, row, column, value and what was expected; :func:`import_sheet` does
both and refuses the sheet whole (:class:`SheetRowsError`) unless told to
skip bad rows. The writers (``write_*``) make the rejected-rows workbook, the
template, a case export in the template's layout, the due list and the
bulletin's tables as ``.xlsx``.

Reading workbooks needs python-calamine and writing them openpyxl (the
``xinfang[sheets]`` extra); without them the names import, and a call that
needs one raises :class:`~xinfang.errors.MissingDependencyError` naming the extra.
"""

from __future__ import annotations

from xinfang.sheets._api import import_sheet
from xinfang.sheets._bulletin import bulletin_xlsx, write_bulletin
from xinfang.sheets._cells import ID_AS_NUMBER, cell_date
from xinfang.sheets._command import add_parsers, due_xlsx
from xinfang.sheets._errors import RowProblem, SheetError, SheetRowsError
from xinfang.sheets._export import TEMPLATE_FIELDS, case_row, not_carried, template_headers
from xinfang.sheets._mapping import FIELDS, FieldKind, SheetMapping, default_mapping, load_mapping
from xinfang.sheets._names import Names, names_of
from xinfang.sheets._readers import Table, read_sheet, sheet_names
from xinfang.sheets._rows import SheetImport, cases_from_table
from xinfang.sheets._writers import (
    write_cases,
    write_due,
    write_rejected,
    write_template,
)

__all__ = [
    "FIELDS",
    "ID_AS_NUMBER",
    "TEMPLATE_FIELDS",
    "FieldKind",
    "Names",
    "RowProblem",
    "SheetError",
    "SheetImport",
    "SheetMapping",
    "SheetRowsError",
    "Table",
    "add_parsers",
    "bulletin_xlsx",
    "case_row",
    "cases_from_table",
    "cell_date",
    "default_mapping",
    "due_xlsx",
    "import_sheet",
    "load_mapping",
    "names_of",
    "not_carried",
    "read_sheet",
    "sheet_names",
    "template_headers",
    "write_bulletin",
    "write_cases",
    "write_due",
    "write_rejected",
    "write_template",
]
