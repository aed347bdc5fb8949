"""Working-time arithmetic: frozen examples from real 2026 calendars, then properties."""

import time as stopwatch
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflows import workcalendar
from workflows.workcalendar import (
    PERPRES_21_2023,
    RAMADAN_2023,
    Schedule,
    WorkCalendar,
    parse_unit,
)

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
WIT = ZoneInfo("Asia/Jayapura")

RAMADAN_2026 = (date(2026, 2, 18), date(2026, 3, 19), RAMADAN_2023)


def wib(*args):
    return datetime(*args, tzinfo=WIB)


@pytest.fixture
def cal():
    return WorkCalendar(tz="Asia/Jakarta")


@pytest.fixture
def ramadan_cal():
    return WorkCalendar(tz="Asia/Jakarta", alternatives=[RAMADAN_2026])


# -- schedules --------------------------------------------------------------------------------


def test_perpres_schedule_is_37_5_hours_a_week_of_7_5_hour_days():
    assert PERPRES_21_2023.weekly_total == timedelta(hours=37.5)
    assert PERPRES_21_2023.average_day == timedelta(hours=7.5)
    assert PERPRES_21_2023.working_days_per_week == 5


def test_ramadan_schedule_is_32_5_hours_a_week_starting_at_0800():
    assert RAMADAN_2023.weekly_total == timedelta(hours=32.5)
    assert all(day[0][0].isoformat() == "08:00:00" for day in RAMADAN_2023.week if day)


def test_schedule_rejects_overlapping_periods():
    with pytest.raises(ValueError):
        Schedule.of(mon="08:00-12:00 11:00-15:00")


def test_schedule_without_any_working_period_is_rejected():
    with pytest.raises(ValueError):
        Schedule.of()


# -- units ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling, unit",
    [("menit", "menit"), ("Jam", "jam"), ("hari kerja", "hari"), (" HARI ", "hari"), ("minggu", "minggu")],
)
def test_parse_unit_accepts_sop_spellings(spelling, unit):
    assert parse_unit(spelling) == unit


def test_parse_unit_rejects_unknown_unit():
    with pytest.raises(ValueError):
        parse_unit("detik")


def test_standard_duration_uses_average_working_day_for_hari(cal):
    assert cal.standard_duration(10, "menit") == timedelta(minutes=10)
    assert cal.standard_duration(2, "jam") == timedelta(hours=2)
    assert cal.standard_duration(7, "hari") == timedelta(hours=52.5)
    assert cal.standard_duration(1, "minggu") == timedelta(hours=37.5)


# -- holidays ---------------------------------------------------------------------------------


def test_2026_cuti_bersama_days_are_holidays(cal):
    cuti_bersama = [date(2026, 2, 16), date(2026, 3, 18), date(2026, 3, 20), date(2026, 3, 23),
                    date(2026, 3, 24), date(2026, 5, 15), date(2026, 5, 28), date(2026, 12, 24)]
    for day in cuti_bersama:
        assert not cal.is_working_day(day)
        assert cal.holiday_name(day).startswith("Cuti Bersama")


def test_independence_day_is_a_named_holiday(cal):
    assert cal.holiday_name(date(2026, 8, 17)) == "Hari Kemerdekaan Republik Indonesia"
    assert not cal.is_working_day(date(2026, 8, 17))


def test_ordinary_weekend_is_not_a_working_day_and_has_no_holiday_name(cal):
    assert not cal.is_working_day(date(2026, 1, 10))
    assert cal.holiday_name(date(2026, 1, 10)) is None
    assert cal.is_working_day(date(2026, 1, 12))


def test_national_holidays_are_looked_up_once_per_year(monkeypatch):
    calls = []
    real = workcalendar.holidays.country_holidays

    def counting(*args, **kwargs):
        calls.append(kwargs["years"])
        return real(*args, **kwargs)

    monkeypatch.setattr(workcalendar.holidays, "country_holidays", counting)
    workcalendar._national_holidays.cache_clear()
    cal = WorkCalendar(tz="Asia/Jakarta")
    cal.elapsed(wib(2026, 1, 1), wib(2027, 12, 31))
    cal.elapsed(wib(2026, 1, 1), wib(2027, 12, 31))
    assert sorted(calls) == [2026, 2027]


# -- menit and jam ----------------------------------------------------------------------------


def test_ten_menit_at_1155_monday_crosses_lunch_break_to_1305(cal):
    assert cal.add(wib(2026, 1, 5, 11, 55), 10, "menit") == wib(2026, 1, 5, 13, 5)


def test_thirty_menit_at_1130_monday_is_due_at_lunch_not_after_it(cal):
    assert cal.add(wib(2026, 1, 5, 11, 30), 30, "menit") == wib(2026, 1, 5, 12, 0)


def test_two_jam_given_friday_1530_is_due_monday_0830(cal):
    assert cal.add(wib(2026, 1, 9, 15, 30), 2, "jam") == wib(2026, 1, 12, 8, 30)


def test_two_jam_given_on_saturday_starts_counting_monday_morning(cal):
    assert cal.add(wib(2026, 1, 10, 10, 0), 2, "jam") == wib(2026, 1, 12, 9, 30)


def test_two_jam_in_ramadan_given_monday_1400_is_due_tuesday_0900(ramadan_cal):
    assert ramadan_cal.add(wib(2026, 2, 23, 14, 0), 2, "jam") == wib(2026, 2, 24, 9, 0)


def test_two_jam_for_wita_organisation_given_wib_1000_is_due_1400_wita():
    makassar = WorkCalendar(tz="Asia/Makassar")
    due = makassar.add(wib(2026, 1, 5, 10, 0), 2, "jam")
    assert due == datetime(2026, 1, 5, 14, 0, tzinfo=WITA)
    assert due.tzinfo == WITA


def test_0700_wib_is_working_time_in_makassar_but_not_in_jakarta(cal):
    assert WorkCalendar(tz="Asia/Makassar").is_working_time(wib(2026, 1, 5, 7, 0))
    assert not cal.is_working_time(wib(2026, 1, 5, 7, 0))


def test_zero_amount_returns_start_unchanged(cal):
    assert cal.add(wib(2026, 1, 10, 10, 0), 0, "jam") == wib(2026, 1, 10, 10, 0)


def test_negative_amount_is_rejected(cal):
    with pytest.raises(ValueError):
        cal.add(wib(2026, 1, 5, 10, 0), -1, "jam")


def test_naive_datetime_is_rejected(cal):
    with pytest.raises(ValueError):
        cal.add(datetime(2026, 1, 5, 10, 0), 1, "jam")


# -- hari and minggu --------------------------------------------------------------------------


def test_one_hari_given_friday_1500_is_due_monday_1500(cal):
    assert cal.add(wib(2026, 1, 9, 15, 0), 1, "hari") == wib(2026, 1, 12, 15, 0)


def test_one_hari_given_friday_1615_is_clamped_to_monday_closing_1600(cal):
    assert cal.add(wib(2026, 1, 9, 16, 15), 1, "hari") == wib(2026, 1, 12, 16, 0)


def test_one_hari_given_thursday_1145_falls_in_friday_break_and_is_due_friday_1130(cal):
    assert cal.add(wib(2026, 1, 8, 11, 45), 1, "hari") == wib(2026, 1, 9, 11, 30)


def test_one_hari_given_saturday_counts_from_monday_opening(cal):
    assert cal.add(wib(2026, 1, 10, 10, 0), 1, "hari") == wib(2026, 1, 13, 7, 30)


def test_one_hari_given_after_closing_counts_from_next_morning(cal):
    assert cal.add(wib(2026, 1, 5, 17, 0), 1, "hari") == wib(2026, 1, 7, 7, 30)


def test_seven_hari_given_monday_is_due_wednesday_of_next_week(cal):
    assert cal.add(wib(2026, 1, 5, 10, 0), 7, "hari") == wib(2026, 1, 14, 10, 0)


def test_one_hari_across_independence_day_is_due_tuesday(cal):
    assert cal.add(wib(2026, 8, 14, 10, 0), 1, "hari") == wib(2026, 8, 18, 10, 0)


def test_one_hari_across_christmas_cuti_bersama_is_due_monday(cal):
    assert cal.add(wib(2026, 12, 23, 10, 0), 1, "hari") == wib(2026, 12, 28, 10, 0)


def test_one_minggu_across_isra_mikraj_is_due_tuesday(cal):
    assert cal.add(wib(2026, 1, 12, 10, 0), 1, "minggu") == wib(2026, 1, 20, 10, 0)


def test_one_hari_from_friday_1615_into_ramadan_is_clamped_to_ramadan_closing(ramadan_cal):
    # Mon 16 Feb is cuti bersama, Tue 17 Feb Imlek; Wed 18 Feb is the first Ramadan working day.
    assert ramadan_cal.add(wib(2026, 2, 13, 16, 15), 1, "hari") == wib(2026, 2, 18, 15, 0)


def test_one_hari_from_0730_into_ramadan_is_due_at_ramadan_opening(ramadan_cal):
    assert ramadan_cal.add(wib(2026, 2, 13, 7, 30), 1, "hari") == wib(2026, 2, 18, 8, 0)


def test_regional_extra_holiday_is_skipped():
    cal = WorkCalendar(tz="Asia/Jakarta", extra_holidays={date(2026, 7, 6): "Hari Jadi Provinsi"})
    assert cal.holiday_name(date(2026, 7, 6)) == "Hari Jadi Provinsi"
    assert cal.add(wib(2026, 7, 3, 9, 0), 1, "hari") == wib(2026, 7, 7, 9, 0)


def test_removed_cuti_bersama_becomes_a_working_day_again():
    cal = WorkCalendar(tz="Asia/Jakarta", removed_holidays={date(2026, 12, 24)})
    assert cal.is_working_day(date(2026, 12, 24))
    assert cal.holiday_name(date(2026, 12, 24)) is None
    assert cal.add(wib(2026, 12, 23, 10, 0), 1, "hari") == wib(2026, 12, 24, 10, 0)


def test_removed_holiday_on_a_weekend_stays_a_day_off():
    cal = WorkCalendar(tz="Asia/Jakarta", removed_holidays={date(2026, 3, 21)})
    assert not cal.is_working_day(date(2026, 3, 21))


def test_overlapping_alternative_schedules_are_rejected():
    with pytest.raises(ValueError):
        WorkCalendar(alternatives=[RAMADAN_2026, (date(2026, 3, 1), date(2026, 3, 31), RAMADAN_2023)])


# -- moments and elapsed ----------------------------------------------------------------------


def test_next_working_moment_of_lunch_break_is_1300(cal):
    assert cal.next_working_moment(wib(2026, 1, 5, 12, 0)) == wib(2026, 1, 5, 13, 0)


def test_next_working_moment_of_closing_time_is_next_opening(cal):
    assert cal.next_working_moment(wib(2026, 1, 5, 16, 0)) == wib(2026, 1, 6, 7, 30)


def test_next_working_moment_of_working_time_is_itself(cal):
    assert cal.next_working_moment(wib(2026, 1, 5, 10, 0)) == wib(2026, 1, 5, 10, 0)


def test_elapsed_from_friday_1500_to_monday_0900_is_three_hours(cal):
    assert cal.elapsed(wib(2026, 1, 9, 15, 0), wib(2026, 1, 12, 9, 0)) == timedelta(hours=3)


def test_elapsed_over_an_ordinary_week_is_37_5_hours(cal):
    assert cal.elapsed(wib(2026, 1, 5), wib(2026, 1, 12)) == timedelta(hours=37.5)


def test_elapsed_backwards_is_zero(cal):
    assert cal.elapsed(wib(2026, 1, 12), wib(2026, 1, 5)) == timedelta(0)


def test_elapsed_over_2026_counts_240_working_days_quickly(cal):
    began = stopwatch.perf_counter()
    assert cal.elapsed(wib(2026, 1, 1), wib(2027, 1, 1)) == 240 * timedelta(hours=7.5)
    assert stopwatch.perf_counter() - began < 0.5


def test_adding_200_jam_and_60_hari_is_quick(cal):
    began = stopwatch.perf_counter()
    assert cal.add(wib(2026, 1, 5, 7, 30), 200, "jam") == wib(2026, 2, 11, 13, 30)
    cal.add(wib(2026, 1, 5, 7, 30), 60, "hari")
    assert stopwatch.perf_counter() - began < 0.5


# -- properties -------------------------------------------------------------------------------

CALENDARS = [
    WorkCalendar(
        tz="Asia/Jakarta",
        alternatives=[(date(2025, 3, 1), date(2025, 3, 29), RAMADAN_2023), RAMADAN_2026],
        extra_holidays={date(2026, 7, 6): "Hari Jadi Provinsi"},
        removed_holidays={date(2026, 12, 24)},
    ),
    WorkCalendar(tz="Asia/Jayapura"),
]

calendars = st.sampled_from(CALENDARS)
moments = st.datetimes(
    min_value=datetime(2025, 1, 1),
    max_value=datetime(2027, 6, 30),
    timezones=st.sampled_from([WIB, WITA, WIT, ZoneInfo("UTC")]),
)
short_units = st.sampled_from(["menit", "jam"])
any_units = st.sampled_from(["menit", "jam", "hari", "minggu"])
LIMITS = {"menit": 5000, "jam": 400, "hari": 60, "minggu": 8}


@st.composite
def standards(draw, units=any_units):
    unit = draw(units)
    return draw(st.integers(0, LIMITS[unit])), unit


@given(calendars, moments, moments, standards())
def test_later_start_never_gives_earlier_deadline(cal, first, second, standard):
    first, second = sorted([first, second])
    assert cal.add(first, *standard) <= cal.add(second, *standard)


@given(calendars, moments, standards(), st.integers(0, 60))
def test_bigger_amount_never_gives_earlier_deadline(cal, start, standard, more):
    amount, unit = standard
    assert cal.add(start, amount, unit) <= cal.add(start, amount + more, unit)


@given(calendars, moments, short_units, st.integers(0, 3000), st.integers(0, 3000))
def test_adding_menit_or_jam_is_additive(cal, start, unit, first, second):
    assert cal.add(cal.add(start, first, unit), second, unit) == cal.add(start, first + second, unit)


@given(calendars, moments, standards(short_units))
def test_menit_or_jam_deadline_is_inside_or_at_end_of_a_working_period(cal, start, standard):
    amount, unit = standard
    due = cal.add(start, max(amount, 1), unit)
    assert any(begin < due <= end for begin, end in cal.working_periods(due.date()))


@given(calendars, moments, standards(short_units))
def test_elapsed_working_time_inverts_adding(cal, start, standard):
    amount, unit = standard
    assert cal.elapsed(start, cal.add(start, amount, unit)) == cal.standard_duration(amount, unit)


@given(calendars, moments, st.integers(1, 60))
def test_hari_deadline_lies_within_working_hours_of_the_nth_working_day(cal, start, days):
    due = cal.add(start, days, "hari")
    periods = cal.working_periods(due.date())
    assert periods and periods[0][0] <= due <= periods[-1][1]
    day = cal.next_working_moment(start).date()
    for _ in range(days):
        day += timedelta(days=1)
        while not cal.is_working_day(day):
            day += timedelta(days=1)
    assert due.date() == day


@given(calendars, moments)
def test_next_working_moment_is_working_time_with_no_working_time_skipped(cal, moment):
    following = cal.next_working_moment(moment)
    assert following >= moment
    assert cal.is_working_time(following)
    assert cal.elapsed(moment, following) == timedelta(0)


@settings(max_examples=50)
@given(calendars, moments, moments, moments)
def test_elapsed_is_additive_over_a_split_point(cal, a, b, c):
    first, middle, last = sorted([a, b, c])
    assert cal.elapsed(first, middle) + cal.elapsed(middle, last) == cal.elapsed(first, last)
