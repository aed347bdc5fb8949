"""Read a whole extract once into a typed DuckDB table ``people``, without judging any row.

Every value is read as text and converted here with TRY_ functions, so a bad value becomes NULL
instead of stopping the read; ``quality.py`` then decides what NULL means. Lines the CSV parser
itself cannot split are kept out by DuckDB's ``store_rejects`` and counted as malformed.

Table ``people`` (insertion order = file order, so ``rowid`` is the person's position):
nik, kk BIGINT (NULL unless 16 digits); sex, agama, pendidikan, pekerjaan, status_kawin, shdk,
golongan_darah, akta_lahir, prop, kab, kec, kel SMALLINT; birth DATE; active BOOLEAN.
"""

from .errors import DkbFileError, _

# Internal column -> SIAK column. akta_lahir and active are optional.
CODE_COLUMNS = {
    "sex": "JENIS_KLMIN",
    "agama": "AGAMA",
    "pendidikan": "PDDK_AKH",
    "pekerjaan": "JENIS_PKRJN",
    "status_kawin": "STAT_KWN",
    "shdk": "STAT_HBKEL",
    "golongan_darah": "GOL_DRH",
    "akta_lahir": "AKTA_LHR",
    "prop": "NO_PROP",
    "kab": "NO_KAB",
    "kec": "NO_KEC",
    "kel": "NO_KEL",
}

# SIAK exports dd-mm-yyyy; other tools write ISO dates; a typed Parquet DATE casts to ISO.
DATE_FORMATS = ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y", "%Y/%m/%d", "%Y-%m-%d %H:%M:%S", "%d-%m-%Y %H:%M:%S")


def _quote_identifier(name):
    return '"' + name.replace('"', '""') + '"'


def _sql_string(value):
    return "'" + str(value).replace("'", "''") + "'"


def _column_sources(info):
    """Internal SIAK name -> SQL expression giving that column as trimmed text."""
    if info.format == "parquet":
        refs = {name: _quote_identifier(original) for name, original in info.source_columns.items()}
    else:
        refs = {}
        from .ingest import normalise_column

        for index, original in enumerate(info.header):
            refs.setdefault(normalise_column(original), f"c{index}")
    # No trim(): it copies every string. DuckDB's casts already ignore surrounding spaces.
    return {name: ref if info.format != "parquet" else f"CAST({ref} AS VARCHAR)" for name, ref in refs.items()}


def _select_list(info):
    text = _column_sources(info)
    digits16 = "CASE WHEN regexp_full_match({0}, '\\s*[0-9]{{16}}\\s*') THEN TRY_CAST({0} AS BIGINT) END"
    birth = text["TGL_LHR"]
    formats = [f"try_strptime({birth}, '{fmt}')" for fmt in DATE_FORMATS]
    formats += [f"try_strptime(trim({birth}), '{fmt}')" for fmt in DATE_FORMATS[:2]]
    parts = [
        digits16.format(text["NIK"]) + " AS nik",
        digits16.format(text["NO_KK"]) + " AS kk",
        "CAST(coalesce(" + ", ".join(formats) + ") AS DATE) AS birth",
    ]
    for internal, siak in CODE_COLUMNS.items():
        if siak in text:
            parts.append(f"TRY_CAST({text[siak]} AS SMALLINT) AS {internal}")
        else:
            parts.append(f"CAST(NULL AS SMALLINT) AS {internal}")
    if "FLAG_STATUS" in text:
        parts.append(f"coalesce(TRY_CAST({text['FLAG_STATUS']} AS INTEGER), 0) = 0 AS active")
    else:
        parts.append("TRUE AS active")
    return ",\n  ".join(parts)


def _csv_source(info, encoding):
    columns = ", ".join(f"'c{index}': 'VARCHAR'" for index in range(len(info.header)))
    return (
        f"read_csv({_sql_string(info.path)}, header = true, auto_detect = false, columns = {{{columns}}}, "
        f"delim = {_sql_string(info.delimiter)}, quote = '\"', escape = '\"', "
        f"encoding = {_sql_string(encoding)}, compression = {_sql_string(info.compression)}, "
        "store_rejects = true, null_padding = false)"
    )


def load(con, info):
    """Create ``people`` from the file; return the sorted line numbers DuckDB could not parse."""
    if info.format == "parquet":
        source = f"read_parquet({_sql_string(info.path)})"
        _run_load(con, source, info)
        return []
    _run_load(con, _csv_source(info, info.encoding), info)
    bad_lines = _rejected_lines(con)
    if info.encoding == "utf-8" and _has_encoding_errors(con):
        # The sample looked like UTF-8 but a later byte did not: it is a Latin-1 export.
        con.execute("DROP TABLE people")
        con.execute("DROP TABLE IF EXISTS reject_errors")
        con.execute("DROP TABLE IF EXISTS reject_scans")
        info.encoding = "latin-1"
        _run_load(con, _csv_source(info, "latin-1"), info)
        bad_lines = _rejected_lines(con)
    return bad_lines


def _run_load(con, source, info):
    sql = f"CREATE TABLE people AS SELECT\n  {_select_list(info)}\nFROM {source}"
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
        return con.execute(
            "SELECT count(*) FROM reject_errors WHERE error_type = 'INVALID ENCODING'"
        ).fetchone()[0] > 0
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
