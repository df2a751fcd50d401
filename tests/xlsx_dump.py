#!/usr/bin/python3
"""Prints an .xlsx workbook as JSON, the way a spreadsheet reads it (openpyxl):
{"sheets": [{"name", "freeze", "widths": {col: width}, "rows": [[[type, value], ...], ...]}]}
type is openpyxl's data_type: "s" text, "n" number, ... Used by tests/report_test.cpp."""
import json
import sys

import openpyxl


def main(path):
    wb = openpyxl.load_workbook(path)
    out = {"sheets": []}
    for ws in wb.worksheets:
        rows = []
        for row in ws.iter_rows():
            rows.append([[c.data_type, c.value] for c in row])
        widths = {k: v.width for k, v in ws.column_dimensions.items()}
        out["sheets"].append({"name": ws.title, "freeze": ws.freeze_panes, "widths": widths, "rows": rows})
    json.dump(out, sys.stdout, ensure_ascii=False, default=str)


if __name__ == "__main__":
    main(sys.argv[1])
