"""Working-time arithmetic for SOP time standards ("Mutu Baku Waktu").

Pure Python: no Django, no ORM, no request. A :class:`WorkCalendar` is built per organisation
from a time zone name, a weekly :class:`Schedule`, date-ranged alternative schedules (Ramadan
hours) and the admin's holiday overrides. National holidays and cuti bersama come from the
``holidays`` package (categories PUBLIC and GOVERNMENT).

Semantics
---------
Working time
    A working period is the half-open wall-clock interval ``[start, end)`` of one day's schedule
    entry, on a working day. A working day is a day whose schedule (the base schedule, or the
    alternative whose inclusive date range contains it) has periods and that is not a holiday.
    Periods never cross midnight. All arithmetic is done in the calendar's zone; inputs may be in
    any zone (naive datetimes are rejected) and results are returned in the calendar's zone.
Holidays
    ``holidays`` PUBLIC + GOVERNMENT (cuti bersama) for the country, minus ``removed_holidays``,
    plus ``extra_holidays``. An extra holiday wins over a removal of the same date. Removing a
    holiday that falls on a day without scheduled periods (a weekend) does not make it a working day.
``menit`` / ``jam``
    Working minutes / hours: only time inside working periods is counted. The deadline is the
    earliest moment at which that much working time has passed, so it is always inside a
    working period or exactly at the end of one (30 menit from 11:30 is 12:00, not 13:00).
    Adding is additive: ``add(add(t, a), b) == add(t, a + b)``.
``hari`` / ``minggu``
    Working days; ``minggu`` is one schedule week of working days (5 under Perpres 21/2023).
    1. A start outside working time (before opening, in a break, after closing, on a day off)
       is first moved to the next working moment.
    2. The target day is the n-th working day after that start's day.
    3. The deadline keeps the start's clock time on the target day (Friday 15:00 + 1 hari is
       Monday 15:00). When that clock time is not working time on the target day (shorter
       Friday/Ramadan hours, a different break), it is moved to the nearest earlier end of a
       period of that day (in a break: the start of the break; after closing: closing time),
       or to the day's opening when it lies before opening.
Zero amounts
    Adding 0 of any unit returns the start unchanged (in the calendar's zone); negative amounts
    are rejected.
``standard_duration``
    The nominal working duration of a standard, for "share of the time used" ratios: menit and
    jam are exact, ``hari`` is the base schedule's average working day (7.5 h under Perpres
    21/2023) and ``minggu`` its working week (37.5 h).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "HARI",
    "JAM",
    "MENIT",
    "MINGGU",
    "PERPRES_21_2023",
    "RAMADAN_2023",
    "UNITS",
    "Schedule",
    "WorkCalendar",
    "parse_unit",
]

MENIT = "menit"
JAM = "jam"
HARI = "hari"
MINGGU = "minggu"
UNITS = (MENIT, JAM, HARI, MINGGU)

# SOP tables write units loosely ("Jam", "hari kerja", "mnt"); the catalogue and admin forms
# should still resolve them to the four canonical units.
_UNIT_ALIASES = {
    "menit": MENIT,
    "mnt": MENIT,
    "menit kerja": MENIT,
    "jam": JAM,
    "jam kerja": JAM,
    "hari": HARI,
    "hari kerja": HARI,
    "minggu": MINGGU,
    "minggu kerja": MINGGU,
    "pekan": MINGGU,
}

_WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# A calendar whose overrides or alternatives leave no working day for this long is misconfigured;
# stop rather than loop forever.
_MAX_IDLE_DAYS = 400


def parse_unit(unit: str) -> str:
    """Return the canonical unit (``menit``, ``jam``, ``hari``, ``minggu``) for a spelling."""
    key = " ".join(str(unit).lower().split())
    try:
        return _UNIT_ALIASES[key]
    except KeyError:
        raise ValueError(f"unknown time unit {unit!r}; expected one of {', '.join(UNITS)}") from None


Period = tuple[time, time]


def _parse_periods(spec: str) -> tuple[Period, ...]:
    periods = []
    for chunk in spec.replace(",", " ").split():
        start, _, end = chunk.partition("-")
        periods.append((time.fromisoformat(start), time.fromisoformat(end)))
    return tuple(periods)


def _seconds(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


@dataclass(frozen=True)
class Schedule:
    """Weekly working hours: for each weekday (Monday first) a tuple of ``(start, end)`` periods."""

    week: tuple[tuple[Period, ...], ...]

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise ValueError("a schedule needs exactly 7 weekdays, Monday first")
        for day in self.week:
            previous_end = time.min
            for start, end in day:
                if not previous_end <= start < end:
                    raise ValueError(f"periods must be ordered and non-overlapping: {day!r}")
                previous_end = end
        if not any(self.week):
            # Deadlines would never be reached; alternatives cannot help because they end.
            raise ValueError("a schedule needs at least one working period")

    @classmethod
    def of(cls, **days: str) -> Schedule:
        """Build from ``mon="07:30-12:00 13:00-16:00"`` style keywords; missing days are off."""
        unknown = set(days) - set(_WEEKDAY_KEYS)
        if unknown:
            raise ValueError(f"unknown weekday keys: {sorted(unknown)}")
        return cls(tuple(_parse_periods(days.get(key, "")) for key in _WEEKDAY_KEYS))

    def periods(self, weekday: int) -> tuple[Period, ...]:
        return self.week[weekday]

    @property
    def working_days_per_week(self) -> int:
        return sum(1 for day in self.week if day)

    @property
    def weekly_total(self) -> timedelta:
        return timedelta(
            seconds=sum(_seconds(end) - _seconds(start) for day in self.week for start, end in day)
        )

    @property
    def average_day(self) -> timedelta:
        return self.weekly_total / self.working_days_per_week


_MON_THU = ("mon", "tue", "wed", "thu")

PERPRES_21_2023 = Schedule.of(
    **{key: "07:30-12:00 13:00-16:00" for key in _MON_THU},
    fri="07:30-11:30 13:00-16:30",
)
"""Perpres 21/2023: 37.5 h/week, start 07:30, 60 min break (Friday 90 min)."""

RAMADAN_2023 = Schedule.of(
    **{key: "08:00-12:00 12:30-15:00" for key in _MON_THU},
    fri="08:00-11:30 12:30-15:30",
)
"""Ramadan hours under Perpres 21/2023: 32.5 h/week, start 08:00, Friday break 60 min.
The exact dates are set each year, so callers pass them as an alternative date range."""


@functools.lru_cache(maxsize=None)
def _national_holidays(country: str, year: int, language: str | None) -> dict[date, str]:
    # Building a holidays object evaluates every rule of the year (lunar estimates included);
    # working-time loops look up hundreds of dates, so do it once per year.
    found = holidays.country_holidays(
        country, years=year, categories=("public", "government"), language=language
    )
    return dict(found.items())


class WorkCalendar:
    """Working-time calendar of one organisation. See the module docstring for the semantics."""

    def __init__(
        self,
        tz: str | tzinfo = "Asia/Jakarta",
        schedule: Schedule = PERPRES_21_2023,
        alternatives: Iterable[tuple[date, date, Schedule]] = (),
        extra_holidays: dict[date, str] | None = None,
        removed_holidays: set[date] | frozenset[date] | None = None,
        *,
        country: str = "ID",
        language: str | None = "id",
    ) -> None:
        self.tz = ZoneInfo(tz) if isinstance(tz, str) else tz
        self.schedule = schedule
        self.alternatives = tuple(sorted(alternatives, key=lambda alt: alt[0]))
        for first, last, _ in self.alternatives:
            if first > last:
                raise ValueError(f"alternative schedule range ends before it starts: {first}..{last}")
        for (_, last, _), (first, _, _) in zip(self.alternatives, self.alternatives[1:]):
            if first <= last:
                raise ValueError(f"alternative schedule ranges overlap around {first}")
        self.extra_holidays = dict(extra_holidays or {})
        self.removed_holidays = frozenset(removed_holidays or ())
        self.country = country
        self.language = language

    def __repr__(self) -> str:
        return f"WorkCalendar(tz={self.tz!s}, alternatives={len(self.alternatives)})"

    # -- days -------------------------------------------------------------------------------

    def schedule_for(self, day: date) -> Schedule:
        for first, last, schedule in self.alternatives:
            if first <= day <= last:
                return schedule
        return self.schedule

    def holiday_name(self, day: date) -> str | None:
        if day in self.extra_holidays:
            return self.extra_holidays[day]
        if day in self.removed_holidays:
            return None
        return _national_holidays(self.country, day.year, self.language).get(day)

    def is_working_day(self, day: date) -> bool:
        return bool(self.schedule_for(day).periods(day.weekday())) and self.holiday_name(day) is None

    def working_periods(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's working periods as aware ``(start, end)`` pairs; empty on a day off."""
        if not self.is_working_day(day):
            return []
        tz = self.tz
        return [
            (datetime.combine(day, start, tz), datetime.combine(day, end, tz))
            for start, end in self.schedule_for(day).periods(day.weekday())
        ]

    def _next_working_day(self, day: date) -> date:
        for _ in range(_MAX_IDLE_DAYS):
            day += timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise ValueError(f"no working day within {_MAX_IDLE_DAYS} days after {day}")

    # -- moments ----------------------------------------------------------------------------

    def _local(self, dt: datetime) -> datetime:
        if dt.tzinfo is None or dt.utcoffset() is None:
            raise ValueError(f"timezone-aware datetime required, got {dt!r}")
        return dt.astimezone(self.tz)

    def is_working_time(self, dt: datetime) -> bool:
        dt = self._local(dt)
        return any(start <= dt < end for start, end in self.working_periods(dt.date()))

    def next_working_moment(self, dt: datetime) -> datetime:
        """``dt`` itself if it is working time, else the start of the next working period."""
        dt = self._local(dt)
        day = dt.date()
        for _ in range(_MAX_IDLE_DAYS):
            for start, end in self.working_periods(day):
                if dt < end:
                    return max(start, dt)
            day += timedelta(days=1)
        raise ValueError(f"no working time within {_MAX_IDLE_DAYS} days after {dt}")

    # -- arithmetic -------------------------------------------------------------------------

    def add(self, start: datetime, amount: int, unit: str) -> datetime:
        """Deadline of a standard of ``amount`` ``unit`` started at ``start``."""
        unit = parse_unit(unit)
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise TypeError(f"amount must be an int, got {amount!r}")
        if amount < 0:
            raise ValueError(f"amount must not be negative, got {amount}")
        if unit == MENIT:
            return self.add_duration(start, timedelta(minutes=amount))
        if unit == JAM:
            return self.add_duration(start, timedelta(hours=amount))
        if unit == MINGGU:
            return self._add_days(start, amount * self.schedule.working_days_per_week)
        return self._add_days(start, amount)

    def add_duration(self, start: datetime, duration: timedelta) -> datetime:
        """The earliest moment by which ``duration`` of working time has passed since ``start``."""
        start = self._local(start)
        if duration < timedelta(0):
            raise ValueError(f"duration must not be negative, got {duration}")
        if not duration:
            return start
        remaining = duration
        cursor = start
        day = start.date()
        idle_days = 0
        while True:
            periods = self.working_periods(day)
            for period_start, period_end in periods:
                if period_end <= cursor:
                    continue
                begin = max(period_start, cursor)
                available = period_end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
            idle_days = 0 if periods else idle_days + 1
            if idle_days > _MAX_IDLE_DAYS:
                raise ValueError(f"no working time within {_MAX_IDLE_DAYS} days after {day}")
            day += timedelta(days=1)

    def _add_days(self, start: datetime, days: int) -> datetime:
        start = self._local(start)
        if not days:
            return start
        begin = self.next_working_moment(start)
        target = begin.date()
        for _ in range(days):
            target = self._next_working_day(target)
        return self._clamp_to_day(target, begin.time())

    def _clamp_to_day(self, day: date, clock: time) -> datetime:
        wanted = datetime.combine(day, clock, self.tz)
        periods = self.working_periods(day)
        if wanted <= periods[0][0]:
            return periods[0][0]
        best = periods[0][0]
        for period_start, period_end in periods:
            if wanted < period_start:
                break
            if wanted <= period_end:
                return wanted
            best = period_end
        return best

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Working time between two moments; zero when ``end`` is not after ``start``."""
        start, end = self._local(start), self._local(end)
        total = timedelta(0)
        if end <= start:
            return total
        day = start.date()
        while day <= end.date():
            for period_start, period_end in self.working_periods(day):
                overlap = min(period_end, end) - max(period_start, start)
                if overlap > timedelta(0):
                    total += overlap
            day += timedelta(days=1)
        return total

    def standard_duration(self, amount: int, unit: str) -> timedelta:
        """Nominal working duration of a standard (see module docstring), for usage ratios."""
        unit = parse_unit(unit)
        if unit == MENIT:
            return timedelta(minutes=amount)
        if unit == JAM:
            return timedelta(hours=amount)
        if unit == HARI:
            return amount * self.schedule.average_day
        return amount * self.schedule.weekly_total
