"""One diagnostic shape for everything a user can get wrong.

A :class:`Diagnostic` is a severity, a stable rule code, a position
(file, line, column: 1-based), a data path, a message and a hint. The same
records are printed by the text, JSON and GitHub reporters (see
``generator.report``) and raised as MkDocs errors by the plugin.

Every rule code is registered in :data:`RULES` with a title and a longer
"how to fix", so the docs and ``tthc validate --explain`` can list them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Literal

from generator.i18n import N_

Severity = Literal["error", "warning"]

#: Stable rule codes: code -> (title, how to fix). The code is part of the
#: machine-readable output and never changes meaning.
RULES: dict[str, tuple[str, str]] = {
    # file and syntax
    "encoding": ("File is not UTF-8", "re-save the file as UTF-8 (in VS Code: 'Save with Encoding' > UTF-8)"),
    "syntax": ("YAML syntax error", "fix the YAML syntax at the position shown"),
    "tab-indent": ("Tab used for indentation", "indent with spaces, never tabs"),
    "duplicate-key": ("Key appears twice", "keep one of the two keys and delete the other"),
    "anchor": ("Anchors, aliases and merge keys are not allowed", "write the value out in full instead of &anchor / *alias / <<"),
    "multi-document": ("More than one YAML document", "keep one document per file; remove the extra '---'"),
    "tag": ("Explicit YAML tags are not allowed", "remove the '!tag' and write the plain value"),
    "not-nfc": ("Text is not in Unicode NFC", "re-save the text in NFC (composed) form; `tthc validate --fix-nfc` is not needed, tthc reads it as NFC"),
    "symlink": ("Catalog file is a symbolic link", "replace the link with the file itself"),
    "empty-file": ("File is empty", "write the record, or delete the file"),
    "control-character": ("Control character or noncharacter in text", "delete the invisible character; no web page, feed or spreadsheet can carry it"),
    "invisible-character": ("Invisible character in text", "delete the bidirectional, zero-width or soft-hyphen character unless it is really needed"),
    "mojibake": ("Text in a legacy Vietnamese encoding", "convert the text from TCVN3 (ABC) or VNI to Unicode and paste it again"),
    "too-large": ("File too large or too deeply nested", "a catalog file holds one record: split or shorten it"),
    "number-range": ("Number out of range", "write a finite number of at most 2^53 (amounts in whole đồng)"),
    "leading-zero": ("Number written with leading zeros", "write the number without leading zeros (copies: 1, not 0001)"),
    # schema
    "schema-type": ("Value has the wrong type", "write a value of the expected type"),
    "schema-required": ("Required field missing", "add the field"),
    "schema-unknown-key": ("Unknown field", "remove the field or fix its spelling"),
    "schema-enum": ("Value not among the allowed values", "use one of the allowed values"),
    "schema-format": ("Value does not have the expected form", "write the value in the form shown"),
    "schema": ("Value does not match the schema", "see the schema's title and description for this field"),
    "code-format": ("Procedure code malformed", 'write the code in quotes as one digit, a dot and six digits: code: "1.000178"'),
    "unquoted-number": ("Code written as a number", "quote the value so it stays text"),
    # rules beyond the schema (DESIGN.md §3)
    "code-filename": ("Code differs from the file name", "rename the file to <code>.yaml or fix the code"),
    "name-placeholder": ("Procedure name is still a placeholder", "write the procedure's name as the publishing decision gives it; `tthc new` writes a placeholder until then"),
    "code-unique": ("Code used by two procedures", "a code identifies one procedure; remove or renumber one of them"),
    "agency-folder": ("Folder is not a known publishing agency", "move the file into catalog/procedures/<agency id>/ of an agency listed in agencies.yaml"),
    "unknown-agency": ("Agency id not found", "use an id from catalog/agencies.yaml, or write the agency's full name"),
    "unknown-sector": ("Sector id not found", "use an id from catalog/sectors.yaml or add the sector there"),
    "checks-skipped": ("Checks against agencies.yaml or sectors.yaml skipped: the file could not be read",
                       "fix that file first (its own error is reported with it), then validate again"),
    "unknown-related": ("Related procedure code not found", "use the code of a procedure in the catalog"),
    "unknown-replaced-by": ("Replacement procedure not found", "replaced_by must name a procedure in the catalog"),
    "replaced-by-status": ("replaced_by without status: replaced", "set status: replaced, or remove replaced_by"),
    "internal-scope": ("Internal procedure without its group", "add internal_scope: between_agencies or within_agency"),
    "internal-scope-external": ("internal_scope on an external procedure", "remove internal_scope, or set kind: internal"),
    "date-invalid": ("Date does not exist", "write a real calendar date as YYYY-MM-DD"),
    "date-future": ("Date is in the future", "write the date the decision was signed, not a planned date"),
    "simplification-order": ("Simplifications out of order", "list simplifications oldest first, each dated after the previous one"),
    "entry-date": ("Entry without a date", "write the decision's date (date: YYYY-MM-DD), or, when the source does not give it, date_note saying what is known"),
    "replacement-link": ("Replacement not linked both ways", "the old procedure has status: replaced and replaced_by: <new code>; the new one lists the old code under replaces"),
    "amount-vnd": ("Amount is not whole VND", "write the amount in whole đồng, without separators: 150000"),
    "legal-number": ("Legal document number malformed", "write it as number/year/KIND-ISSUER, e.g. 33/2025/NĐ-CP, or number/KIND-ISSUER for decisions, e.g. 497/QĐ-BXD"),
    "document-id-unique": ("Two documents share an id", "give each document of a procedure its own id"),
    "duplicate-sector": ("Sector id or name listed twice", "keep one entry and move the other name into variants"),
    "duplicate-agency": ("Agency id listed twice", "keep one entry"),
    "duplicate-plan": ("Plan id used by two files", "give each plan its own id"),
    "unknown-parent": ("Parent agency not found", "use an id from catalog/agencies.yaml"),
    "unparsed-text": ("Imported text kept unsplit", "split the text into structured fields by hand and remove this note"),
    "missing-file": ("Catalog file missing", "create the file"),
    # the importer (tthc import, generator/importer): one line per thing it could not carry over as written
    # (the hints of these four are printed with each import diagnostic, translated: generator/i18n.py)
    "import-unsplit": ("Imported text could not be split reliably", N_("compare the field with the portal page (source.url) and split it by hand")),
    "import-dropped": ("Source text left out on import", N_("the message says what was left out and why; add it by hand if it belongs in the record")),
    "import-inferred": ("Imported value inferred, not stated by the source", N_("check the value against the publishing decision")),
    "import-refused": ("Record not imported", N_("fix the source file or the catalog as the message says, then import again")),
    # the change check (tthc check-change, generator/change.py)
    "change-unrecorded": ("Substantive change without a recorded decision", "add a simplifications or amendments entry (date, decision, summary) naming the decision that approved the change"),
    "code-changed": ("Procedure code changed", "restore the old code; a new procedure goes in a new file"),
    "file-deleted": ("Procedure file deleted", "restore the file and set status: abolished or replaced (with replaced_by); never delete a procedure"),
    "agency-moved": ("Procedure moved to another agency folder without a recorded decision", "move the file back, or add an amendments entry naming the decision that transferred it"),
    "name-changed": ("Procedure name changed", "check that the new name is the publishing decision's and names the same procedure"),
    "publication-changed": ("Publishing decision changed", "check the number and date of the decision that published the procedure"),
    "cost-inputs-changed": ("Compliance cost inputs changed", "check which source supports the new inputs (compliance_cost.source): they feed the savings figures"),
    "change-beyond-entry": ("Change beyond what the new simplification entry describes", "check the decision covers every change, or record the others with their own entry"),
    "data-correction-claimed": ("Commit declares a data correction but changes the procedure", "check the changed values against source.url; a change of the procedure needs its decision recorded, not the data-correction trailer"),
    "history-edited": ("Earlier simplification or amendment entry changed", "keep past entries as they were; add a new entry for a new decision"),
    "agency-not-owned": ("Change to another agency's procedure (check-change --owner)", "leave that agency's files out of the change, or have its maintainers make it; a transfer of competence moves the file with an amendments entry naming the decision"),
    "transfer-not-approved": ("Transfer of competence taken without the source agency's approval (check-change --owner)", "have the source agency's maintainers or a control-office reviewer make or approve the move (check-change --approved-by)"),
    "register-not-owned": ("Change to another agency's entry in agencies.yaml (check-change --owner)", "leave that agency's entry as it is, or have its maintainers or a control-office reviewer make or approve the change"),
    "register-review": ("Change to agencies.yaml or sectors.yaml", "a control-office reviewer (control_office in agencies.yaml) must approve it"),
    # history (tthc history, the build: generator/history.py), warnings about the repository's past
    "history-shallow": ("History read from a shallow clone", "fetch the whole history: git fetch --unshallow (GitHub Actions: actions/checkout with fetch-depth: 0)"),
    "history-skipped": ("Past file version that is no procedure record", "nothing to do for a past commit; current files are checked by tthc validate"),
    "history-invalid": ("Past version of a procedure that does not validate", "nothing to do for a past commit: it is shown as invalid, never as content"),
    "history-date": ("Commit with an impossible date", "nothing to do unless the commit is yours and not shared yet: give it a real date"),
    # spreadsheets (tthc import FILE.xlsx / FILE.csv, generator/importer/spreadsheet.py)
    "not-a-template": ("Spreadsheet is neither the tthc template nor a portal list", "start from the template written by `tthc export --format xlsx`, or import the portal's list export as it was downloaded"),
    "column-missing": ("Required column missing from a sheet", "add the column: its Vietnamese label in row 1 and its key in row 2, as in the template"),
    "sheet-unknown": ("Sheet not part of the template", "rename the sheet to one of the template's, or move its data there; the sheet is not read"),
    "empty-row": ("Empty row between rows of data", "delete the empty row; it is skipped"),
    "orphan-row": ("Row for a procedure or item that is not in the workbook", "add the procedure to sheet thu_tuc (or the item it belongs to), or correct the code or STT in this row"),
    "list-differs": ("The portal's list and the catalog disagree", "check the procedure's page on the national portal and correct whichever is wrong; importing the list changes nothing"),
    "list-incomplete": ("The portal's list lacks fields a record needs", "import the procedure's full record (page crawl or portal API), or fill in the template and import it"),
}


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem found in one input file.

    Attributes:
        file: path as given to the user (relative to the working directory
            where possible), using forward slashes.
        line: 1-based line, 0 when unknown.
        column: 1-based column, 0 when unknown.
        severity: ``"error"`` or ``"warning"``.
        code: a key of :data:`RULES`.
        path: data path in dotted form with indexes, e.g. ``documents[2].copies``;
            empty for whole-file problems. For a YAML syntax error, read from the
            text's indentation (``generator.load.text_path``), empty where it does not tell.
        message: what is wrong, one line, in plain words.
        hint: what to do next, one line.
    """

    file: str
    line: int
    column: int
    severity: Severity
    code: str
    path: str
    message: str
    hint: str = ""

    def __post_init__(self) -> None:
        if self.code not in RULES:
            raise ValueError(f"unregistered diagnostic code {self.code!r}")

    def as_dict(self) -> dict[str, object]:
        """The stable JSON record: severity, code, file, line, column, path, message, hint."""
        return {
            "severity": self.severity,
            "code": self.code,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "message": self.message,
            "hint": self.hint,
        }

    def format(self) -> str:
        """Compiler-style line: ``file:line:col: severity[code] path: message (hint: ...)``."""
        where = f"{self.file}:{self.line}:{self.column}"
        what = f"{self.path}: {self.message}" if self.path else self.message
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{where}: {self.severity}[{self.code}] {what}{hint}"


@dataclass
class Report:
    """All diagnostics of one run, kept in a stable order (file, line, column)."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    files_checked: int = 0
    #: files besides the procedures that a comparison found different (check-change: agencies.yaml, sectors.yaml)
    registers: list[str] = field(default_factory=list)

    def add(self, diagnostic: Diagnostic) -> None:
        self.diagnostics.append(diagnostic)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics.extend(diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.sorted() if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.sorted() if d.severity == "warning"]

    def ok(self, strict: bool = False) -> bool:
        """True when there is no error (and, if ``strict``, no warning)."""
        return not self.errors and not (strict and self.warnings)

    def sorted(self) -> list[Diagnostic]:
        """Diagnostics sorted by file, line, column, code; duplicates removed."""
        return sorted(set(self.diagnostics), key=lambda d: (d.file, d.line, d.column, d.code, d.path, d.message))


def format_path(parts: Iterable[str | int]) -> str:
    """Turn ``("documents", 2, "copies")`` into ``documents[2].copies``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
