"""Read a whole extract once into a typed DuckDB table ``people``, without judging any row.

Every value is read as text and converted here with TRY_ functions, so a bad value becomes NULL
instead of stopping the read; ``quality.py`` then decides what NULL means. Lines the CSV parser
itself cannot split are kept out by DuckDB's ``store_rejects`` and counted as malformed.

Table ``people`` (insertion order = file order, so ``rowid`` is the person's position):
nik, kk BIGINT (NULL unless 16 digits); sex, agama, pendidikan, pekerjaan, status_kawin, shdk,
golongan_darah, akta_lahir, prop, kab, kec, kel, disabilitas INTEGER; birth DATE; active BOOLEAN.
"""

from .errors import DkbFileError, _
from .schema import CODED_FIELDS

# Internal column -> SIAK column; the coded fields come from the table specification
# (schema.CODED_FIELDS). akta_lahir, disabilitas and active are optional.
CODE_COLUMNS = {
    "sex": "JENIS_KLMIN",
    **{field.name: field.siak for field in CODED_FIELDS},
    "prop": "NO_PROP",
    "kab": "NO_KAB",
    "kec": "NO_KEC",
    "kel": "NO_KEL",
    "disabilitas": "PNYDNG_CCT",
}

# SIAK exports dd-mm-yyyy; other tools write ISO dates; a typed Parquet DATE casts to ISO.
DATE_FORMATS = ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y", "%Y/%m/%d", "%Y-%m-%d %H:%M:%S", "%d-%m-%Y %H:%M:%S")


def _quote_identifier(name):
    return '"' + name.replace('"', '""') + '"'


def _sql_string(value):
    return "'" + str(value).replace("'", "''") + "'"


NIK_RANGE = "BETWEEN 1000000000000000 AND 9999999999999999"
INTEGER_TYPES = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "DECIMAL",
)

# Types asked of the CSV reader on the fast path; a value that does not fit rejects its line.
FAST_TYPES = {
    "NIK": "BIGINT",
    "NO_KK": "BIGINT",
    "TGL_LHR": "DATE",
    "FLAG_STATUS": "INTEGER",
    # INTEGER, not SMALLINT: DuckDB's CSV reader parses it measurably faster.
    **{siak: "INTEGER" for siak in CODE_COLUMNS.values()},
}


def _column_refs(info):
    """SIAK name -> (SQL reference, DuckDB type name) for the columns of a CSV read as text."""
    from .ingest import normalise_column

    refs = {}
    for index, original in enumerate(info.header):
        refs.setdefault(normalise_column(original), (f"c{index}", "VARCHAR"))
    return refs


def _select_list(refs):
    """Typed columns of ``people`` from whatever types the file gave (text or native)."""

    def is_integer(kind):
        return kind.upper().startswith(INTEGER_TYPES)

    def number16(name):
        ref, kind = refs[name]
        if is_integer(kind):
            return f"CASE WHEN {ref} {NIK_RANGE} THEN CAST({ref} AS BIGINT) END"
        text = ref if kind == "VARCHAR" else f"CAST({ref} AS VARCHAR)"
        # No trim(): it copies every string; the pattern and the cast both allow outer spaces.
        digits = f"regexp_full_match({text}, '\\s*[0-9]{{16}}\\s*')"
        number = f"TRY_CAST({text} AS BIGINT)"
        return f"CASE WHEN {digits} AND {number} {NIK_RANGE} THEN {number} END"

    def birth_date():
        ref, kind = refs["TGL_LHR"]
        if kind.upper() == "DATE" or kind.upper().startswith("TIMESTAMP"):
            return f"CAST({ref} AS DATE)"
        text = ref if kind == "VARCHAR" else f"CAST({ref} AS VARCHAR)"
        formats = [f"try_strptime({text}, '{fmt}')" for fmt in DATE_FORMATS]
        formats += [f"try_strptime(trim({text}), '{fmt}')" for fmt in DATE_FORMATS[:2]]
        return "CAST(coalesce(" + ", ".join(formats) + ") AS DATE)"

    parts = [number16("NIK") + " AS nik", number16("NO_KK") + " AS kk", birth_date() + " AS birth"]
    for internal, siak in CODE_COLUMNS.items():
        if siak in refs:
            ref, kind = refs[siak]
            parts.append(
                f"{ref} AS {internal}" if kind == "INTEGER" else f"TRY_CAST({ref} AS INTEGER) AS {internal}"
            )
        else:
            parts.append(f"CAST(NULL AS INTEGER) AS {internal}")
    if "FLAG_STATUS" in refs:
        parts.append(f"coalesce(TRY_CAST({refs['FLAG_STATUS'][0]} AS INTEGER), 0) = 0 AS active")
    else:
        parts.append("TRUE AS active")
    return ",\n  ".join(parts)


def _csv_source(info, encoding, types, strict=False):
    """``strict``: stop at the first bad line (fast path) instead of setting it aside."""
    columns = ", ".join(f"'c{index}': '{kind}'" for index, kind in enumerate(types))
    options = f"dateformat = {_sql_string(info.date_format)}, " if info.date_format else ""
    # DuckDB's strict mode refuses a file whose lines end in more than one way (CRLF and LF
    # mixed); the scan has counted every line, so the lenient mode is checked against it.
    if info.structure is not None and info.structure.mixed_line_ends:
        options += "strict_mode = false, "
    return (
        f"read_csv({_sql_string(info.path)}, header = true, auto_detect = false, columns = {{{columns}}}, "
        f"delim = {_sql_string(info.delimiter)}, quote = '\"', escape = '\"', {options}"
        f"encoding = {_sql_string(encoding)}, compression = {_sql_string(info.compression)}, "
        + ("null_padding = false)" if strict else "store_rejects = true, null_padding = false)")
    )


def load(con, info):
    """Create ``people`` from the file; return the sorted line numbers DuckDB could not parse.

    CSV files are first read strictly with native types (as fast as DuckDB reads any CSV);
    clean DKB extracts end there. At the first value that does not fit, the file is read again
    as text, so that one bad value costs only that value, not the whole person, and only truly
    broken lines are set aside.
    """
    if info.format == "parquet":
        source = f"read_parquet({_sql_string(info.path)})"
        kinds = dict(
            con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {source})").fetchall()
        )
        refs = {
            name: (_quote_identifier(original), kinds[original])
            for name, original in info.source_columns.items()
        }
        _run_load(con, source, refs, info)
        return []

    refs = _column_refs(info)
    if info.date_format:
        from .ingest import normalise_column

        types = [FAST_TYPES.get(normalise_column(name), "VARCHAR") for name in info.header]
        typed = {name: (ref, types[int(ref[1:])]) for name, (ref, _kind) in refs.items()}
        sql = f"CREATE TABLE people AS SELECT\n  {_select_list(typed)}\nFROM "
        try:
            # Strict: no reject bookkeeping, the first bad value ends it (and the text path
            # below takes over, raising the proper message if the file itself is broken).
            con.execute(sql + _csv_source(info, info.encoding, types, strict=True))
            return []
        except Exception:  # duckdb's conversion, invalid-input and IO errors alike
            con.execute("DROP TABLE IF EXISTS people")

    text_types = ["VARCHAR"] * len(info.header)
    _run_load(con, _csv_source(info, info.encoding, text_types), refs, info)
    if info.encoding == "utf-8" and _has_encoding_errors(con):
        # The sample looked like UTF-8 but a later byte did not: it is a Latin-1 export.
        _drop_load(con)
        info.encoding = "latin-1"
        _run_load(con, _csv_source(info, "latin-1", text_types), refs, info)
    return _rejected_lines(con)


def _drop_load(con):
    con.execute("DROP TABLE people")
    con.execute("DROP TABLE IF EXISTS reject_errors")
    con.execute("DROP TABLE IF EXISTS reject_scans")


def _run_load(con, source, refs, info):
    sql = f"CREATE TABLE people AS SELECT\n  {_select_list(refs)}\nFROM {source}"
    try:
        con.execute(sql)
    except Exception as error:  # duckdb raises IO, conversion and invalid-input errors here
        raise _file_error(error, info) from None


def _file_error(error, info):
    message = str(error)
    if "GZIP" in message.upper() or "gzip" in message:
        return DkbFileError(_("Berkas gzip rusak atau terpotong; unggah ulang berkas yang utuh."))
    if info.format == "parquet":
        return DkbFileError(_("Berkas Parquet rusak atau tidak dapat dibaca."))
    if "not latin-1 encoded" in message:
        from .structure import first_line_with_c1_byte, thousands

        line = first_line_with_c1_byte(info.path, info.format)
        if line is not None:
            return DkbFileError(
                _(
                    "Baris %(line)s memuat karakter khusus Windows-1252 (mis. tanda kutip miring atau "
                    "tanda euro) yang tidak dapat dibaca: berkas ini bukan UTF-8 maupun Latin-1. Simpan "
                    "ulang berkas sebagai CSV UTF-8 lalu unggah ulang."
                ),
                line=thousands(line),
            )
    # DuckDB's CSV messages quote the offending line, which may hold a NIK: never pass them on.
    return DkbFileError(
        _("Berkas CSV tidak dapat dibaca sampai selesai; pastikan berkas utuh dan berformat CSV ekspor SIAK.")
    )


def _rejected_lines(con):
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'reject_errors'"
    ).fetchone()[0]
    if not exists:
        return []
    return [row[0] for row in con.execute("SELECT DISTINCT line FROM reject_errors ORDER BY line").fetchall()]


def _has_encoding_errors(con):
    try:
        return (
            con.execute(
                "SELECT count(*) FROM reject_errors WHERE error_type = 'INVALID ENCODING'"
            ).fetchone()[0]
            > 0
        )
    except Exception:
        return False


def file_row_number(position, bad_lines):
    """Spreadsheet row of the person at 0-based ``position``: header is row 1, skipped lines count."""
    row = position + 2
    for line in bad_lines:
        if line <= row:
            row += 1
        else:
            break
    return row
