"""Dose expressions → quantities, with pint.

Understands what the sources write: "15 mg/week", "20 mg/12 h", "300 mg/14 days",
"40 mg/2 weeks", "5 mg twice daily", "10 to 15 mg twice daily", "1%-2% twice daily",
"2-mg daily dose", "11 mg extended release". The normalised daily amount is
value × administrations / interval (in days), e.g. 15 mg/week → 2.142857 mg/day.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..lexicon import DATA_DIR, Lexicon, normalise

NUMBER = r"\d+(?:\.\d+)?"
AMOUNT = re.compile(
    rf"(?<![\d.%])(?P<sign>-\s*)?(?P<value>{NUMBER})\s*(?P<unit1>%|mg|g|mcg|µg)?\s*"
    rf"(?:(?:-|–|to)\s*(?P<max>{NUMBER})\s*)?-?\s*(?P<unit>%|mg|g|mcg|µg)(?![a-z])",
    re.I,
)
PER_INTERVAL = re.compile(
    rf"^\s*/\s*(?P<n>{NUMBER})?\s*(?P<unit>h|hr|hours?|d|days?|weeks?|months?)\b", re.I
)
EXTENDED_RELEASE = re.compile(r"\bextended[- ]release\b", re.I)
# "5 mg twice to three times daily": a range of administrations per day
TIMES = {"once": 1, "twice": 2, "two times": 2, "three times": 3, "four times": 4}
TIMES_RANGE = re.compile(r"^\s*(?P<lo>once|twice|two times|\d+ times)\s+(?:to|or|-)\s+"
                         r"(?P<hi>twice|two times|three times|four times|\d+ times)\s+(?:daily|a day|per day)\b", re.I)
TAPERING = re.compile(r"\b(?:gradual(?:ly)? taper(?:ing|ed)?|taper(?:ing|ed)?)\b", re.I)


UNITS_FILE = DATA_DIR / "units.txt"


@lru_cache(maxsize=1)
def units() -> "pint.UnitRegistry":
    """pint's registry with only the units the parsers convert (data/units.txt, pint's own
    definitions), imported and built on first use: ~10 ms, where pint's full definitions
    took ~1.3 s to parse (and its on-disk cache broke when pint moved to another venv)."""
    import pint
    return pint.UnitRegistry(str(UNITS_FILE))


class DoseError(ValueError):
    """A dose that cannot be real (negative amount, zero-length interval)."""


@dataclass
class Dose:
    value: float
    max_value: float | None
    unit: str                     # "mg", "%", ...
    start: int                    # offsets of the amount within the parsed text
    end: int
    frequency: str | None = None
    interval: str | None = None
    administrations: float | None = None
    daily_dose: float | None = None
    daily_dose_max: float | None = None
    notes: list[str] = field(default_factory=list)


@lru_cache(maxsize=None)
def _factor(unit: str, target: str) -> float:
    """How many ``target`` in one ``unit`` (pint, cached: parsing units is the slow part)."""
    return (1 * units()(unit)).to(target).magnitude


def iso_duration(quantity: pint.Quantity) -> str:
    """An interval as an xsd:dayTimeDuration: whole days as PnD, otherwise PTnH."""
    return _iso_hours(quantity.to("hour").magnitude)


def _iso_hours(hours: float) -> str:
    if hours % 24 == 0:
        return f"P{int(hours // 24)}D"
    return f"PT{hours:g}H"


def duration_days(iso: str) -> float:
    m = re.fullmatch(r"P(?:(\d+)D)?(?:T(\d+(?:\.\d+)?)H)?", iso)
    if not m:
        raise ValueError(f"unsupported interval {iso!r}")
    return float(m.group(1) or 0) + float(m.group(2) or 0) / 24


def _frequency_phrase(tail: str, lexicon: Lexicon):
    """The longest frequency phrase from the lexicon that starts the tail text."""
    key = normalise(tail)
    best = None
    for freq in lexicon.frequencies:
        for name in freq.names:
            n = normalise(name)
            if key.startswith(n) and (len(key) == len(n) or not key[len(n)].isalnum()
                                      or n.startswith("/")):
                if best is None or len(n) > len(best[1]):
                    best = (freq, n)
    return best[0] if best else None


def parse_dose(text: str, lexicon: Lexicon) -> Dose | None:
    """The first dose in ``text`` with its frequency; None if there is no amount."""
    m = AMOUNT.search(text)
    if not m:
        return None
    unit = m.group("unit")
    unit1 = m.group("unit1")
    if unit1 and unit1.lower() != unit.lower():
        return None
    unit = "%" if unit == "%" else unit.lower().replace("µg", "mcg")
    value = float(m.group("value"))
    if m.group("sign"):
        raise DoseError(f"impossible dose '{m.group(0).strip()}': an amount cannot be negative")
    max_value = float(m.group("max")) if m.group("max") else None
    dose = Dose(value, max_value, unit, m.start(), m.end())
    tail = text[m.end():]
    per = PER_INTERVAL.match(tail)
    if per:
        n = float(per.group("n") or 1)
        if n <= 0:
            raise DoseError(f"impossible dose '{(m.group(0) + per.group(0)).strip()}': "
                            "the dosing interval is zero")
        dose.interval = _iso_hours(n * _factor(per.group("unit").lower().rstrip("s") or "day", "hour"))
        dose.administrations = 1.0
        word = per.group("unit").lower()
        freq = _frequency_phrase("/" + word, lexicon) if per.group("n") is None else None
        dose.frequency = freq.label if freq else f"every {n:g} {word if n != 1 else word.rstrip('s')}"
    else:
        # skip filler such as "given", "daily dose", "applied"
        stripped = re.sub(r"^\s*(?:extended release|given|applied|both applied)\s*", "", tail, flags=re.I)
        freq = _frequency_phrase(stripped, lexicon)
        times = TIMES_RANGE.match(stripped)
        if times:
            lo, hi = (TIMES.get(t.lower()) or float(t.split()[0]) for t in times.group("lo", "hi"))
            dose.frequency = " ".join(times.group(0).split()).lower()
            dose.interval, dose.administrations = "P1D", float(lo)
            mg = (value * units()(unit)).to("mg").magnitude if unit != "%" else None
            if mg is not None:
                top = (max_value if max_value is not None else value) * units()(unit)
                dose.daily_dose = round(mg * lo, 6)
                dose.daily_dose_max = round(top.to("mg").magnitude * hi, 6)
            return dose
        if freq:
            dose.frequency = freq.label
            dose.interval = freq.interval
            dose.administrations = freq.administrations
    if EXTENDED_RELEASE.match(tail.strip()):
        dose.notes.append("extended release")
        if dose.interval is None:
            dose.frequency, dose.interval, dose.administrations = "daily", "P1D", 1.0
    if TAPERING.search(tail):
        dose.notes.append("gradual tapering")
    if dose.interval and unit != "%":
        per_day = dose.administrations / duration_days(dose.interval)
        mg = value * _factor(unit, "mg")
        dose.daily_dose = round(mg * per_day, 6)
        if max_value is not None:
            dose.daily_dose_max = round(max_value * _factor(unit, "mg") * per_day, 6)
    return dose
