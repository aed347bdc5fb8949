"""Indonesian number and date formats for printed reports: 1.234.567; 12,5; 30 Juni 2025.

Numbers are formatted here rather than with ``django.utils.formats.number_format`` because a
semester report prints tens of thousands of cells, and the result must not depend on the
reader's UI language or on ``USE_THOUSAND_SEPARATOR``. Dates go through Django's ``date_format``
with the Indonesian locale forced, so the month names come from Django's own translations.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone, translation
from django.utils.dateformat import format as django_date_format

DASH = "–"


def number(value, decimals=0):
    """1234567 -> '1.234.567'; 12.5 with decimals=1 -> '12,5'; None -> '–'."""
    if value is None or value == "":
        return DASH
    text = f"{float(value) if decimals else round(value):,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def percent(value, decimals=2):
    """12.345 -> '12,35%'; None -> '–'."""
    if value is None:
        return DASH
    return f"{number(value, decimals)}%"


def share(part, whole, decimals=2):
    """part / whole as an Indonesian percentage, '–' when the whole is zero."""
    if not whole:
        return DASH
    return percent(part * 100 / whole, decimals)


def long_date(value):
    """date(2025, 6, 30) -> '30 Juni 2025', in Indonesian whatever the active language."""
    if value is None:
        return DASH
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    with translation.override("id"):
        return django_date_format(value, "j F Y")


def moment(value, tz_name=None):
    """An aware datetime -> '21 November 2026 14.30' in the organisation's time zone."""
    if value is None:
        return DASH
    if isinstance(value, str):
        return value
    if timezone.is_aware(value):
        value = value.astimezone(ZoneInfo(tz_name)) if tz_name else timezone.localtime(value)
    return f"{long_date(value.date())} {value:%H.%M}"


def full_moment(value, tz_name):
    """An aware datetime written out in full in the zone ``tz_name``: '1 Desember 2026 09.15 WIB'."""
    if value is None:
        return DASH
    if isinstance(value, str):
        return value
    local = value.astimezone(ZoneInfo(tz_name)) if timezone.is_aware(value) else value
    zone = local.tzname() if timezone.is_aware(value) else ""
    return " ".join(filter(None, [moment(local), zone]))
