"""A case series' own summary numbers, read from its prose: "18 patients", "7 men and 11
women", "methotrexate (12)", "representing 61.1%" ... → `CohortStatisticRecord`s.

Each statistic gets a machine key saying what is counted ("patients",
"patients-with-disease:alopecia-areata", "courses-with-combined-drug:methotrexate",
"mean-combination-duration-months", ...), the value as stated (and how many decimals it was
written with, so a check can compare at the stated precision) and the evidence span of the
phrase that states it. The numbers are never written here: the rules below are patterns
over sentences, and drug/disease names are found through the curated lexicon, so the same
rules read another letter that phrases its summary the same way.

`queries/19-stated-vs-computed-statistics.rq` recomputes every key from the patient table's
graph; `jakkg check-statistics` prints both side by side.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from ..document import Document, Span
from ..lexicon import Lexicon, Vocabulary
from ..records import CohortStatisticRecord
from .source import evidence

WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen", "twenty"]
NUMBER_WORDS = {w: i for i, w in enumerate(WORDS)}
NUM = r"(?:\d+(?:\.\d+)?|" + "|".join(WORDS) + r")(?![\w-])"


def number(text: str) -> tuple[float, int]:
    """'61.1' → (61.1, 1); 'Twelve' → (12, 0)."""
    t = text.strip().lower()
    if t in NUMBER_WORDS:
        return float(NUMBER_WORDS[t]), 0
    return float(t), len(t.split(".", 1)[1]) if "." in t else 0


def names_pattern(vocab: Vocabulary, kinds: set[str] | None = None) -> str:
    """Regex alternation of every label and synonym (case-insensitive) and abbreviation
    (case-sensitive) of a vocabulary, longest first, on word boundaries."""
    names, abbreviations = set(), set()
    for e in vocab:
        if kinds and e.kind not in kinds:
            continue
        names.update([e.label, *e.synonyms])
        abbreviations.update(e.abbreviations)
    alternatives = [re.escape(n).replace(r"\ ", r"\s+") for n in sorted(names, key=len, reverse=True)]
    alternatives += [f"(?-i:{re.escape(a)})" for a in sorted(abbreviations, key=len, reverse=True)]
    return r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])"


@dataclass
class Value:
    """One number a rule reads: which regex group holds it, the key (a template over the
    entity groups) and the unit."""

    group: str
    key: str
    unit: str
    label: str


@dataclass
class Rule:
    pattern: str                      # regex with {NUM}, {DRUG}, {JAKI}, {DISEASE} placeholders
    values: list[Value]
    sentence: str | None = None       # only in sentences matching this regex
    min_matches: int = 1              # a list: only where the pattern matches this often


def V(group: str, key: str, unit: str, label: str) -> Value:
    return Value(group, key, unit, label)


RULES: list[Rule] = [
    Rule(r"(?:identified|included|enrolled|reviewed|report)\s+(?:a\s+total\s+of\s+)?(?P<n>{NUM})\s+patients",
         [V("n", "patients", "patients", "patients")]),
    Rule(r"treated\s+with\s+(?P<n>{NUM})\s+(?:different\s+)?combination\s+(?:therapies|treatments|regimens)",
         [V("n", "courses", "courses", "combination therapy courses")]),
    Rule(r"mean\s+age,?\s+(?:of\s+)?(?P<n>{NUM})\s+years",
         [V("n", "mean-age", "years", "mean age of the patients")]),
    Rule(r"(?P<n>{NUM})\s+men\b", [V("n", "men", "patients", "men")]),
    Rule(r"(?P<n>{NUM})\s+women\b", [V("n", "women", "patients", "women")]),
    # "Twelve of these patients were prescribed a JAKi for alopecia areata (AA), 5 for ..."
    Rule(r"(?P<n>{NUM})(?:\s+of\s+these\s+patients)?(?:\s+were\s+prescribed\s+a\s+\w+)?\s+for\s+(?P<disease>{DISEASE})",
         [V("n", "patients-with-disease:{disease}", "patients", "patients with {disease}")],
         sentence=r"\bprescribed\s+(?:a\s+)?(?:JAKi|JAK\s+inhibitor)"),
    # "A total of 15 patients received ... baricitinib"; "In 4 cases the given treatment was upadacitinib"
    Rule(r"(?P<n>{NUM})\s+(?:patients|cases),?\s+(?:received|(?:the\s+given\s+)?treatment\s+was)\b[^.;]*?(?P<drug>{JAKI})",
         [V("n", "patients-on-jaki:{drug}", "patients", "patients on {drug}")]),
    # "methotrexate (12), prednisone (4), ..."
    Rule(r"(?P<drug>{DRUG})\s*\((?P<n>{NUM})\)",
         [V("n", "courses-with-combined-drug:{drug}", "courses", "courses combining {drug}")],
         sentence=r"\bused\s+in\s+combination|\bcombination\s+regimens"),
    Rule(r"mean\s+duration\s+of\s+(?:the\s+)?combination\s+therapy\s+was\s+(?P<n>{NUM})\s+months",
         [V("n", "mean-combination-duration-months", "months", "mean duration of combination therapy")]),
    Rule(r"(?P<n>{NUM})\s+patients\s+still\s+(?:undergoing|on)\s+(?:the\s+)?combin\w*",
         [V("n", "patients-with-ongoing-combination", "patients", "patients still on a combination")]),
    # "Complete responses were achieved in 8 patients diagnosed with AA and 3 cases of AD"
    Rule(r"(?P<n>{NUM})\s+(?:patients|cases)\s+(?:diagnosed\s+with|of|with)\s+(?P<disease>{DISEASE})",
         [V("n", "complete-response-patients-with-disease:{disease}", "patients",
            "patients with {disease} in complete response")],
         sentence=r"^Complete\s+responses?\s+(?:were|was)\s+achieved"),
    Rule(r"representing\s+(?P<n>{NUM})\s*%",
         [V("n", "complete-response-percent", "percent", "patients in complete response (%)")],
         sentence=r"\bcomplete\s+respons"),
    # "3 patients (17%) ... showed no significant improvement after a mean duration of 7 months"
    Rule(r"(?P<n>{NUM})\s+patients\s*\((?P<p>{NUM})\s*%\)[^.]*?\bno\s+(?:significant\s+)?improvement",
         [V("n", "no-improvement-patients", "patients", "patients with no significant improvement"),
          V("p", "no-improvement-percent", "percent", "patients with no significant improvement (%)")]),
    Rule(r"no\s+(?:significant\s+)?improvement\s+after\s+a\s+mean\s+(?:duration\s+of\s+)?(?P<n>{NUM})\s+months",
         [V("n", "no-improvement-mean-duration-months", "months",
            "mean combination duration of the patients with no improvement")]),
    Rule(r"(?P<n>{NUM})\s+distinct\s+adverse\s+events(?:\s+\(AEs\))?\s+(?:were\s+)?reported\s+in\s+(?P<m>{NUM})\s+(?:different\s+)?patients",
         [V("n", "distinct-adverse-events", "adverse events", "distinct adverse events"),
          V("m", "patients-with-adverse-events", "patients", "patients with adverse events")]),
    Rule(r"(?:side\s+effects|adverse\s+events|AEs)\s+were\s+observed\s+(?:in\s+)?(?:around\s+|about\s+)?(?:the\s+)?(?P<n>{NUM})\s*%\s+of\s+(?:the\s+)?patients",
         [V("n", "patients-with-adverse-events-percent", "percent", "patients with adverse events (%)")]),
    Rule(r"(?P<n>{NUM})\s+patients\b[^.;]*?\bswitched\s+(?:from\s+[^.;]*?\s+)?to\s+(?P<drug>{DRUG})",
         [V("n", "patients-switched-to:{drug}", "patients", "patients switched to {drug}")]),
    Rule(r"(?P<n>{NUM})\s+(?:cases|patients),\s+patients\s+who\s+did\s+not\s+achieve\s+(?:a\s+)?complete\s+response\s+with\s+[^.]*?initiated\s+on",
         [V("n", "courses-uncontrolled-before-jaki", "courses",
            "courses started because prior immunosuppressants or biologics did not control the disease")]),
    # "oral intolerance (1), arthralgia (1), ... mild lymphopenia (810 cells/10⁹/L) (1), ..."
    Rule(r"(?P<event>{EVENT})[^(),;.]{0,25}?(?:\s*\([^()]*\))?\s*\((?P<n>{NUM})\)",
         [V("n", "patients-with-adverse-event:{event}", "patients", "patients with {event}")],
         min_matches=2),
    Rule(r"(?P<n>{NUM})\s+patients\s+who\s+achieved\s+complete\s+responses?,\s+the\s+classic\s+immunosuppressant\s+was\s+withdrawn",
         [V("n", "complete-response-immunosuppressant-withdrawn", "patients",
            "patients whose combined immunosuppressant was withdrawn after a complete response")]),
]


class StatisticsReader:
    def __init__(self, doc: Document, lexicon: Lexicon):
        self.doc = doc
        self.lexicon = lexicon
        placeholders = {
            "NUM": NUM,
            "DRUG": names_pattern(lexicon.drugs),
            "JAKI": names_pattern(lexicon.drugs, {"jak_inhibitor"}),
            "DISEASE": names_pattern(lexicon.diseases),
            "EVENT": names_pattern(lexicon.adverse_events),
        }
        self.rules = [(re.compile(_fill(r.pattern, placeholders), re.I),
                       re.compile(r.sentence, re.I) if r.sentence else None, r) for r in RULES]

    def vocabulary(self, kind: str) -> Vocabulary:
        return {"drug": self.lexicon.drugs, "disease": self.lexicon.diseases,
                "event": self.lexicon.adverse_events}[kind]

    def entity(self, kind: str, text: str) -> str | None:
        entry = self.vocabulary(kind).lookup(re.sub(r"\s+", " ", text))
        return entry.id if entry else None

    def read(self) -> list[CohortStatisticRecord]:
        out: list[CohortStatisticRecord] = []
        for sentence in prose_sentences(self.doc):
            for pattern, only_in, rule in self.rules:
                if only_in and not only_in.search(sentence.text):
                    continue
                matches = list(pattern.finditer(sentence.text))
                if len(matches) < rule.min_matches:
                    continue
                for m in matches:
                    out.extend(self.records(sentence, m, rule))
        return out

    def records(self, sentence: Span, m: re.Match, rule: Rule) -> Iterator[CohortStatisticRecord]:
        entities, labels = {}, {}
        for kind in ("drug", "disease", "event"):
            if kind in m.groupdict() and m.group(kind):
                entity_id = self.entity(kind, m.group(kind))
                if entity_id is None:
                    return
                entities[kind] = entity_id
                labels[kind] = self.vocabulary(kind)[entity_id].label
        phrase = self.doc.span(sentence.start + m.start(), sentence.start + m.end())
        for v in rule.values:
            value, precision = number(m.group(v.group))
            subject = next(iter(entities.items()), None)
            yield CohortStatisticRecord(
                key=v.key.format(**entities), value=value, precision=precision, unit=v.unit,
                label=v.label.format(**labels), stated_text=m.group(v.group),
                subject=subject, evidence=evidence(self.doc, phrase))


def _fill(pattern: str, placeholders: dict[str, str]) -> str:
    return re.sub(r"\{(NUM|DRUG|JAKI|DISEASE|EVENT)\}", lambda m: placeholders[m.group(1)], pattern)


def prose_sentences(doc: Document) -> list[Span]:
    """Sentences before the references (and other back matter)."""
    end = len(doc.text)
    for s in doc.sections():
        if s.title.lower().startswith(("references", "declaration", "conflicts of interest")):
            end = min(end, s.heading.start)
    return [s for s in doc.sentences() if s.end <= end]


def extract_cohort_statistics(doc: Document, lexicon: Lexicon) -> list[CohortStatisticRecord]:
    return StatisticsReader(doc, lexicon).read()

