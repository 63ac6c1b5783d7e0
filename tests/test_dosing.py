import pytest

from jakkg.extract.dosing import DoseError, parse_dose


@pytest.mark.parametrize("text, value, max_value, unit, frequency, interval, daily, daily_max", [
    ("15 mg/week", 15, None, "mg", "weekly", "P7D", 2.142857, None),
    ("20 mg/12 h", 20, None, "mg", "every 12 h", "PT12H", 40, None),
    ("300 mg/14 days", 300, None, "mg", "every 14 days", "P14D", 21.428571, None),
    ("100 mg/12 h", 100, None, "mg", "every 12 h", "PT12H", 200, None),
    ("40 mg/day in gradual tapering", 40, None, "mg", "daily", "P1D", 40, None),
    ("5 mg twice daily", 5, None, "mg", "twice daily", "P1D", 10, None),
    ("10 to 15 mg twice daily", 10, 15, "mg", "twice daily", "P1D", 20, 30),
    ("1%-2% twice daily", 1, 2, "%", "twice daily", "P1D", None, None),
    ("40 mg/2 weeks", 40, None, "mg", "every 2 weeks", "P14D", 2.857143, None),
    ("a 2-mg daily dose", 2, None, "mg", "daily", "P1D", 2, None),
    ("100-200 mg daily", 100, 200, "mg", "daily", "P1D", 100, 200),
])
def test_dose_expressions(lexicon, text, value, max_value, unit, frequency, interval, daily, daily_max):
    d = parse_dose(text, lexicon)
    assert (d.value, d.max_value, d.unit, d.frequency, d.interval) == (value, max_value, unit, frequency, interval)
    assert d.daily_dose == pytest.approx(daily) if daily is not None else d.daily_dose is None
    assert d.daily_dose_max == pytest.approx(daily_max) if daily_max is not None else d.daily_dose_max is None


def test_tapering_and_extended_release_are_notes(lexicon):
    assert parse_dose("Prednisone 40 mg/day in gradual tapering (orally)", lexicon).notes == ["gradual tapering"]
    d = parse_dose("11 mg extended release given daily", lexicon)
    assert d.notes == ["extended release"] and d.daily_dose == 11


def test_dose_without_frequency_has_no_daily_amount(lexicon):
    d = parse_dose("Prednisone 15 mg in gradual tapering (orally)", lexicon)
    assert d.value == 15 and d.frequency is None and d.daily_dose is None


@pytest.mark.parametrize("text, message", [
    ("-5 mg/day", "cannot be negative"),
    ("15 mg/0 days", "interval is zero"),
])
def test_impossible_doses_raise(lexicon, text, message):
    with pytest.raises(DoseError, match=message):
        parse_dose(text, lexicon)
