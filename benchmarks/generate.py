"""A synthetic corpus in the genre of the case-series letter, for benchmarks and smoke tests.

    python benchmarks/generate.py --courses 12000 --seed 1 -o /tmp/corpus

Each output document looks like the real letter (data/sources/muntaner-virgili-…): a short
prose summary, then "**Table 1** …" with the letter's own 15-column header (copied from the
letter, not retyped), broken into pages by "Table 1 (Continued)" blocks that repeat the
header. Nothing is invented by hand here:

* frequencies come from the real letter: its Table 1 is read with jakkg's own Document
  reader and every column's cell texts are counted (sex, age, comorbidities, disease,
  previous therapies, JAK inhibitor and dose, outcomes, reasons, combined regimens,
  durations, adverse events); those observed cells are reused with their observed
  frequencies, mixed with entries drawn from data/lexicon/*.tsv (other JAK inhibitors,
  diseases, comorbidities, adverse events) at a lower weight, so the corpus covers the
  lexicon and not only the letter;
* damage is the letter's own: cells copied from the letter keep their typos, and clean cells
  are damaged with the inverse of data/lexicon/corrections.tsv ("mg" → "smg",
  "transaminitis" → "Transminitis", "cyclosporine" → "cyclosporin", …), plus trailing
  commas and repeated items in list cells;
* some patients span several consecutive rows (same sex, comorbidities and disease, age
  equal or one year apart), as cases 7–8, 18–20 and 21–22 do in the letter.

Output is deterministic per seed (``random.Random(seed)``, sorted inputs) and written as
many documents of at most ``--per-doc`` courses, plus ``manifest.json`` with what was
generated (courses, planned multi-row patients, injected damage per kind).
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jakkg.document import Document  # noqa: E402
from jakkg.lexicon import load_lexicon, normalise  # noqa: E402

LETTER = ROOT / "data" / "sources" / "muntaner-virgili-2025-jaki-combination-letter.txt"
FIELDS = ("case", "sex", "age", "comorbidities", "disease", "previous_therapies", "jaki",
          "jaki_outcome", "combination_reason", "combined", "duration", "combination_outcome",
          "end_reason", "discontinuation", "adverse_events")
LEXICON_SHARE = 0.2       # share of draws that come from the lexicon rather than the letter
DAMAGE_RATE = 0.08        # chance that a clean cell gets one of the letter's typos
MULTI_ROW = (0.10, 0.04)  # chance that a patient has 2 / 3 consecutive rows
PAGE_ROWS = (6, 12)       # rows per page before a "Table 1 (Continued)" break


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class LetterStats:
    """Per-column cell texts of the real letter's Table 1, with their counts."""

    def __init__(self, lexicon):
        doc = Document.from_path(LETTER)
        table = next(t for t in doc.tables() if t.number == 1)
        self.caption = table.caption.text
        self.header = table.columns
        index = {}
        for i, name in enumerate(self.header):
            index.setdefault(lexicon.case_table_columns[normalise(name)], i)
        missing = [f for f in FIELDS if f not in index]
        if missing:
            raise SystemExit(f"{LETTER}: Table 1 lacks columns {missing}")
        self.index = index
        self.rows = [[c.text for c in row.cells] for row in table.rows]
        self.columns = {f: Counter(r[index[f]] for r in self.rows) for f in FIELDS}
        self.ages = [int(r[index["age"]]) for r in self.rows]
        # list items of "previous therapies" (raw text, with their damage), counted
        self.previous_items = Counter(
            item.strip() for r in self.rows
            for item in r[index["previous_therapies"]].split(",") if item.strip())
        # the letter's outcome → end reason → discontinuation combinations (they go together)
        self.endings = Counter((r[index["combination_outcome"]], r[index["end_reason"]],
                                r[index["discontinuation"]]) for r in self.rows)


class Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.lexicon = load_lexicon()
        self.letter = LetterStats(self.lexicon)
        lx = self.lexicon
        # damaged literal ← clean text, from the curated corrections (inverse direction)
        self.typos = []
        for c in lx.corrections:
            damaged = c.pattern.pattern.replace(r"\b", "")
            if re.fullmatch(r"[a-z ]+", damaged):
                self.typos.append((damaged, c.replacement))
        self.damage = Counter()
        self.jakis = sorted((e for e in lx.drugs if e.kind == "jak_inhibitor"
                             and e.get("max_daily_dose_mg")), key=lambda e: e.id)
        self.systemic = sorted((e for e in lx.drugs if e.kind == "drug"
                                and e.get("max_daily_dose_mg")), key=lambda e: e.id)
        self.other_previous = sorted((e for e in lx.drugs if e.kind != "jak_inhibitor"),
                                     key=lambda e: e.id)
        self.diseases = sorted((e for e in lx.diseases if e.kind == "dermatologic"),
                               key=lambda e: e.id)
        self.comorbidities = sorted((e for e in lx.diseases if e.kind == "comorbidity"),
                                    key=lambda e: e.id)
        # adverse events: the letter's counts (read from its AE cells) + 1 for every entry
        ae_text = " ".join(self.letter.columns["adverse_events"]).lower()
        self.events = sorted(lx.adverse_events, key=lambda e: e.id)
        self.event_weights = [1 + sum(ae_text.count(n.lower()) * 4
                                      for n in [e.label, *e.synonyms]) for e in self.events]

    # -- drawing ------------------------------------------------------------------------
    def observed(self, field: str) -> str:
        counts = self.letter.columns[field]
        keys = sorted(counts)
        return self.rng.choices(keys, [counts[k] for k in keys])[0]

    def from_lexicon(self) -> bool:
        return self.rng.random() < LEXICON_SHARE

    def damaged(self, text: str) -> str:
        """Maybe put one of the letter's typos into a clean cell."""
        if self.rng.random() >= DAMAGE_RATE:
            return text
        hits = [(bad, good, m) for bad, good in self.typos
                for m in [re.search(r"\b" + re.escape(good) + r"\b", text, re.I)] if m]
        if not hits:
            return text
        bad, good, m = self.rng.choice(hits)
        repl = cap(bad) if m.group(0)[:1].isupper() else bad
        self.damage[f"{good} → {bad}"] += 1
        return text[:m.start()] + repl + text[m.end():]

    def dose(self, entry) -> str:
        top = float(entry.get("max_daily_dose_mg"))
        amount = self.rng.choice([top / 4, top / 2])
        amount = int(amount) if amount >= 1 else round(amount, 1)
        return f"{cap(entry.label)} {amount} mg/day"

    def sex_age_comorbidity(self) -> tuple[str, int, str]:
        sex = self.observed("sex")
        mean = sum(self.letter.ages) / len(self.letter.ages)
        sd = (sum((a - mean) ** 2 for a in self.letter.ages) / len(self.letter.ages)) ** 0.5
        age = max(12, min(90, round(self.rng.gauss(mean, sd))))
        if not self.from_lexicon():
            return sex, age, self.observed("comorbidities")
        k = self.rng.choice([1, 1, 2, 3])
        picks = self.rng.sample(self.comorbidities, k)
        names = [self.rng.choice([e.label, *e.synonyms]) for e in picks]
        return sex, age, self.damaged(cap(", ".join(names)))

    def disease(self) -> str:
        if not self.from_lexicon():
            return self.observed("disease")
        return cap(self.rng.choice(self.diseases).label)

    def disease_key(self, text: str) -> str:
        corrected, _ = self.lexicon.correct(text)
        entry = self.lexicon.diseases.lookup(corrected)
        return entry.id if entry else corrected.lower()

    def previous(self) -> str:
        if not self.from_lexicon():
            return self.observed("previous_therapies")
        items = self.letter.previous_items
        keys = sorted(items)
        n = self.rng.randint(1, 5)
        chosen = self.rng.choices(keys, [items[k] for k in keys], k=n)
        chosen.append(self.rng.choice(self.other_previous).label)
        out = list(dict.fromkeys(x.lower() for x in chosen))
        if self.rng.random() < 0.1:   # a repeated list item, as case 3
            out.append(out[0])
            self.damage["repeated list item"] += 1
        text = cap(", ".join(out))
        if self.rng.random() < 0.1:   # a trailing comma, as cases 15, 16, 18
            text += ","
            self.damage["trailing comma"] += 1
        return self.damaged(text)

    def jaki(self) -> str:
        if not self.from_lexicon():
            return self.observed("jaki")
        return self.damaged(self.dose(self.rng.choice(self.jakis)))

    def combined(self) -> str:
        if not self.from_lexicon():
            return self.observed("combined")
        return self.damaged(self.dose(self.rng.choice(self.systemic)))

    def outcome(self, field: str) -> str:
        text = self.observed(field)
        return text if self.from_lexicon() else self.damaged(text)

    def duration(self) -> str:
        if not self.from_lexicon():
            return self.observed("duration")
        months = self.rng.randint(1, 43)
        return f"{months} (ongoing)" if self.rng.random() < 4 / 22 else str(months)

    def adverse_events(self, jaki: str, combined: str) -> str:
        given = f"{jaki} {combined}".lower().replace("cyclosporine", "cyclosporin")
        if not self.from_lexicon():
            cell = self.observed("adverse_events")
            # the letter's cell only where it blames a drug this course was given
            if all(d.strip().lower().replace("cyclosporine", "cyclosporin") in given
                   for d in re.findall(r"\(([^()]+)\)", cell) if not re.search(r"\d", d)):
                return cell
        if self.rng.random() < 0.5:
            return self.rng.choice(["None", ""])
        drugs = [jaki.split()[0].lower(), combined.split()[0].lower()]
        groups = []
        for drug in self.rng.sample(drugs, self.rng.choice([1, 1, 2])):
            picks = self.rng.choices(self.events, self.event_weights, k=self.rng.choice([1, 1, 2]))
            picks = list({e.id: e for e in picks}.values())
            names = [self.rng.choice([e.label, *e.synonyms]) for e in picks]
            groups.append(f"{' and '.join(names)} ({drug})")
        return self.damaged(cap(", ".join(groups)))

    # -- rows and documents -------------------------------------------------------------
    def patient_rows(self, case: int, seen: dict | None = None) -> list[list[str]]:
        """Rows of one patient. ``seen`` (per document) holds earlier patients by the key
        jakkg merges rows on (sex, comorbidities, disease): rows of different people that
        happen to share it, an age within a year, and a younger later row would read as one
        patient growing younger, so such an age is moved up."""
        sex, age, comorbidity = self.sex_age_comorbidity()
        disease = self.disease()
        if seen is not None:
            # coarser than jakkg's key (sex, comorbidities, disease entry): never misses one;
            # the disease as jakkg resolves it, so "AA" and a misspelt name match its label
            key = (sex.lower(), self.disease_key(disease))
            earlier = seen.setdefault(key, [])
            # this patient's rows are aged age .. age + 2 (up to three rows, +0/+1 each)
            while any(x < first and any(abs(x - a) <= 1 for a in ages)
                      for first, ages in earlier for x in range(age, age + 3)):
                age += 2
            earlier.append((age, [age, age + 1, age + 2]))
        previous = self.previous()
        r = self.rng.random()
        n = 3 if r < MULTI_ROW[1] else 2 if r < sum(MULTI_ROW) else 1
        rows = []
        for k in range(n):
            if k:
                age += self.rng.choice([0, 0, 1])
            jaki, combined = self.jaki(), self.combined()
            ending = sorted(self.letter.endings)
            outcome, end_reason, discontinuation = self.rng.choices(
                ending, [self.letter.endings[e] for e in ending])[0]
            rows.append([str(case + k), sex, str(age), comorbidity, disease, previous, jaki,
                         self.outcome("jaki_outcome"), self.observed("combination_reason"),
                         combined, self.duration(), outcome, end_reason, discontinuation,
                         self.adverse_events(jaki, combined)])
        return rows

    def document(self, number: int, seed: int, rows: list[list[str]]) -> str:
        ages = [int(r[2]) for r in rows]
        diseases = Counter(r[4] for r in rows)
        top = ", ".join(f"{n} for {d.lower()}" for d, n in diseases.most_common(3))
        doi = f"10.5555/jakkg-synthetic.{seed}.{number}"
        title = (f"Janus kinase inhibitors combined with systemic treatments: "
                 f"synthetic case series {number} (seed {seed})")
        lines = [
            "# Synthetic Dermatology Letters", "",
            "## CASE AND RESEARCH LETTER", "",
            f"### {title}", "",
            "To the Editor,", "",
            f"We reviewed {len(rows)} combination therapies of a JAK inhibitor with another "
            f"systemic treatment (mean age, {sum(ages) / len(ages):.0f} years): {top}. "
            "The courses are listed in Table 1.", "",
            f"<https://doi.org/{doi}>", "",
            f"Please cite this article as: jakkg benchmark generator, {title}, "
            f"Synthetic Dermatology Letters, <https://doi.org/{doi}>", "",
            self.letter.caption, "",
        ]
        header = "\t".join(self.letter.header)
        i = 0
        first = True
        while i < len(rows):
            page = self.rng.randint(*PAGE_ROWS)
            if not first:
                lines += ["Table 1 (Continued)", ""]
            lines.append(header)
            lines += ["\t".join(r) for r in rows[i:i + page]]
            lines.append("")
            i += page
            first = False
        lines += ["## References", "", "1. None (synthetic document).", ""]
        return "\n".join(lines)


def generate(courses: int, seed: int, out: Path, per_doc: int = 250) -> dict:
    gen = Generator(seed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("synthetic-*.txt"):
        old.unlink()
    docs, made, multi = [], 0, []
    while made < courses:
        rows: list[list[str]] = []
        want = min(per_doc, courses - made)
        name = f"synthetic-s{seed}-{len(docs) + 1:05d}.txt"
        seen: dict = {}
        while len(rows) < want:
            patient = gen.patient_rows(len(rows) + 1, seen)[: want - len(rows)]
            if len(patient) > 1:
                multi.append([name.removesuffix(".txt"), [int(r[0]) for r in patient]])
            rows += patient
        (out / name).write_text(gen.document(len(docs) + 1, seed, rows), encoding="utf-8")
        docs.append(name)
        made += len(rows)
    manifest = {"seed": seed, "courses": made, "documents": len(docs),
                "per_doc": per_doc, "multi_row_patients": len(multi),
                "damage": dict(sorted(gen.damage.items())),
                "multi_row": multi}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--courses", type=int, required=True, help="number of therapy courses (table rows)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--per-doc", type=int, default=250, help="courses per document (≤ 500 advised)")
    p.add_argument("-o", "--out", type=Path, required=True, help="output folder")
    a = p.parse_args(argv)
    if a.courses < 1 or a.per_doc < 1:
        p.error("--courses and --per-doc must be positive")
    manifest = generate(a.courses, a.seed, a.out, a.per_doc)
    manifest.pop("multi_row")
    print(json.dumps(manifest))


if __name__ == "__main__":
    main()
