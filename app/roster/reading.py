"""Turn a roster file (.xlsx or .csv in UTF-8, UTF-8-BOM or GBK/GB18030) into a grid of cells."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

from app.errors import RosterError
from app.i18n import _

Cell = str | int | float | dt.date | dt.datetime | None
MAX_BYTES = 50 * 1024 * 1024


def read_grid(path: Path) -> list[list[Cell]]:
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise RosterError(_("The file {name} does not exist.").format(name=path.name)) from exc
    if size > MAX_BYTES:
        raise RosterError(_("The file is too large for a roster (over 50 MB)."))
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix in (".csv", ".txt"):
        return _read_csv(path.read_bytes())
    if suffix == ".xls":
        raise RosterError(
            _(
                "Old .xls files are not supported. In Excel or WPS choose “Save as” → .xlsx and try again."
            )
        )
    raise RosterError(_("Unsupported file type {suffix}; use .xlsx or .csv.").format(suffix=suffix))


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK), then a guess."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise RosterError(_("The text encoding of this CSV file could not be recognised."))
    return str(best)


def _read_csv(data: bytes) -> list[list[Cell]]:
    text = decode_text(data)
    if "\x00" in text:
        raise RosterError(_("This file is not a text CSV file."))
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    try:
        return [list(row) for row in csv.reader(io.StringIO(text), dialect)]
    except csv.Error as exc:
        raise RosterError(_("The CSV file is malformed: {error}").format(error=exc)) from exc


def _read_xlsx(path: Path) -> list[list[Cell]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except (
        InvalidFileException,
        zipfile.BadZipFile,
        KeyError,
        OSError,
        ValueError,
        TypeError,
    ) as exc:
        raise RosterError(_("The Excel file is damaged or not really an .xlsx file.")) from exc
    try:
        ws = wb.worksheets[0]
        grid: list[list[Cell]] = [list(row) for row in ws.iter_rows(values_only=True)]
        for rng in ws.merged_cells.ranges:
            value = ws.cell(rng.min_row, rng.min_col).value
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    if r - 1 < len(grid) and c - 1 < len(grid[r - 1]):
                        grid[r - 1][c - 1] = value
        return grid
    finally:
        wb.close()
