"""Percentiles in SQL: the portable window-function version agrees with a plain reference
implementation of percentile_cont on every group size, and with PostgreSQL's own aggregate."""

import math
import random

import pytest
from django.db import connection

from workflows.models import Organisation, WaktuOverride
from workflows.models.sla import percentiles, window_percentiles

FRACTIONS = (0.5, 0.9, 0.25, 0.99, 0.0, 1.0)


def percentile_cont(values, fraction):
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (position - low) * (ordered[high] - ordered[low])


@pytest.fixture
def groups(db):
    """Groups of 1 to 13 values (WaktuOverride.amount grouped by organisation and SOP)."""
    rng = random.Random(20260406)
    expected = {}
    for size in range(1, 14):
        organisation = Organisation.objects.create(
            name=f"Dinas {size}", short_name=f"D{size}", province_code="17", province_name="Bengkulu"
        )
        for sop in ("A", "B"):
            values = [rng.choice([0, 1, 5, 10, 30, 600, 7200, rng.randint(0, 100000)]) for _ in range(size)]
            WaktuOverride.objects.bulk_create(
                WaktuOverride(organisation=organisation, sop=sop, step_number=index + 1, amount=value, unit="menit")
                for index, value in enumerate(values)
            )
            expected[(organisation.pk, sop)] = values
    return expected


def assert_matches(result, expected):
    assert set(result) == set(expected)
    for key, values in expected.items():
        for fraction, got in zip(FRACTIONS, result[key]):
            assert got == pytest.approx(percentile_cont(values, fraction)), (key, fraction, sorted(values))


def test_window_percentiles_equal_percentile_cont_for_every_group_size(groups):
    result = window_percentiles(WaktuOverride.objects.all(), ("organisation", "sop"), "amount", FRACTIONS)
    assert_matches(result, groups)


def test_the_backend_choice_gives_the_same_numbers(groups):
    result = percentiles(WaktuOverride.objects.all(), ("organisation", "sop"), "amount", FRACTIONS)
    assert_matches(result, groups)


def test_percentiles_respect_the_filters_of_the_queryset(groups):
    some = WaktuOverride.objects.filter(sop="A", step_number__lte=3)
    expected = {key: values[:3] for key, values in groups.items() if key[1] == "A"}
    assert_matches(window_percentiles(some, ("organisation", "sop"), "amount", FRACTIONS), expected)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's percentile_cont")
def test_on_postgresql_the_window_version_equals_the_native_aggregate(groups):
    queryset = WaktuOverride.objects.all()
    native = percentiles(queryset, ("organisation", "sop"), "amount", FRACTIONS)
    portable = window_percentiles(queryset, ("organisation", "sop"), "amount", FRACTIONS)
    assert native.keys() == portable.keys()
    for key in native:
        assert native[key] == pytest.approx(portable[key])
