"""data/units.txt (the units the dose and time parsers convert, in pint's format) gives
the same conversions as pint's full default definitions."""
import pint
import pytest

from jakkg.extract.dosing import UNITS_FILE, units

CONVERSIONS = [("mg", "mg"), ("g", "mg"), ("mcg", "mg"), ("µg", "mg"), ("h", "hour"),
               ("hr", "hour"), ("hour", "hour"), ("d", "hour"), ("day", "hour"), ("week", "hour"),
               ("month", "hour"), ("day", "day"), ("week", "day"), ("month", "day"), ("year", "day")]


@pytest.fixture(scope="module")
def full():
    return pint.UnitRegistry()


@pytest.mark.parametrize("unit, target", CONVERSIONS)
def test_small_registry_converts_like_pints_own(full, unit, target):
    assert units() is units() and UNITS_FILE.name == "units.txt"
    assert (1 * units()(unit)).to(target).magnitude == pytest.approx((1 * full(unit)).to(target).magnitude)


def test_week_is_168_hours_and_a_month_about_30_days():
    assert (1 * units()("week")).to("hour").magnitude == 168
    assert units().Quantity(2, "month").to("day").magnitude == pytest.approx(60.875)
