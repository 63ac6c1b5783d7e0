from conftest import LETTER, REVIEW

from jakkg.document import Document


def test_letter_table_is_one_table_of_22_rows_across_continued_pages(letter_doc):
    tables = letter_doc.tables()
    assert len(tables) == 1
    table = tables[0]
    assert table.number == 1
    assert table.caption.text.startswith("**Table 1** Patients on a combination therapy")
    assert [r.cells[0].text for r in table.rows] == [str(i) for i in range(1, 23)]
    assert len(table.header) == 15 and all(len(r.cells) == 15 for r in table.rows)


def test_every_cell_span_is_verbatim(letter_doc):
    for row in letter_doc.tables()[0].rows:
        for cell in row.cells:
            assert letter_doc.text[cell.start:cell.end] == cell.text


def test_letter_sections_by_markdown_heading(letter_doc):
    titles = [s.title for s in letter_doc.sections()]
    assert "References" in titles and "Conflicts of interest" in titles
    for s in letter_doc.sections():
        assert letter_doc.text[s.body.start:s.body.end] == s.body.text


def test_review_sections_include_the_disease_sections():
    review = Document.from_path(REVIEW)
    titles = [s.title for s in review.sections()]
    for t in ["Alopecia Areata", "Dermatomyositis", "Graft-Versus-Host Disease", "Granuloma Annulare",
              "Hidradenitis Suppurativa", "Lichen Planus", "Necrobiosis Lipoidica", "Psoriasis",
              "Pyoderma Gangrenosum", "Sarcoidosis", "Systemic and Cutaneous Lupus",
              "Morphea/Systemic Sclerosis", "Vitiligo", "Safety Concerns"]:
        assert t in titles


def test_review_table_header_holds_the_shifted_first_dose():
    review = Document.from_path(REVIEW)
    table = review.tables()[0]
    assert table.columns[2] == "5-10 mg twice daily/ 11 mg extended release"
    assert len(table.rows) == 7


def test_sentences_keep_citations_and_offsets():
    review = Document.from_path(REVIEW)
    sentences = review.sentences()
    gran = [s for s in sentences if "3 of 5 patients" in s.text]
    assert len(gran) == 1 and gran[0].text.endswith("<sup>13</sup>")
    assert all(review.text[s.start:s.end] == s.text for s in sentences)


def test_line_numbers_are_one_based(letter_doc):
    row = letter_doc.tables()[0].rows[0]
    assert letter_doc.line_of(row.span.start) == row.line
    assert letter_doc.text.splitlines()[row.line - 1].startswith("1\tWoman\t29")
