"""The query page in a real browser: headless Debian Chromium driven by Playwright
(executable_path=/usr/bin/chromium; `playwright install` is never run) against
`jakkg serve` started by the test on 127.0.0.1."""
from __future__ import annotations

import os
import shutil
import tempfile

import pytest

from servers import CHROMIUM, running_server

if not os.access(CHROMIUM, os.X_OK):
    pytest.skip(f"{CHROMIUM} is absent (CI installs the Debian packages chromium and "
                "chromium-driver)", allow_module_level=True)

from playwright.sync_api import sync_playwright  # noqa: E402

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-proxy-server"]


@pytest.fixture(scope="module")
def server(store_path):
    with running_server(store_path, timeout=10, workers=2) as (url, _app):
        yield url


@pytest.fixture(scope="module")
def page(server):
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    outside: list[str] = []
    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM,
                                                   headless=True, args=CHROMIUM_ARGS)
        ctx.set_default_timeout(20_000)
        pg = ctx.new_page()
        # the page must not fetch anything from another host
        pg.on("request", lambda r: None if r.url.startswith(server) else outside.append(r.url))
        try:
            yield pg
        finally:
            ctx.close()
            shutil.rmtree(profile, ignore_errors=True)
    assert outside == []


def test_run_a_shipped_query_and_open_an_entity_page(server, page):
    page.goto(server + "/")
    page.wait_for_selector("body[data-ready='1']")
    # the editor starts with the prefixes pre-filled
    assert "PREFIX jakkg: <https://w3id.org/jakkg/ontology#>" in page.input_value("#query")
    page.select_option("#examples", "01-courses-per-combined-drug")
    assert page.input_value("#query").startswith("# How many therapy courses combined")
    assert "in how many patients?" in page.inner_text("#question")
    page.click("#run")
    page.wait_for_selector("#status[data-state='done']")
    assert page.locator("#results thead th").all_inner_texts() == ["combinedDrug", "courses", "patients"]
    rows = page.locator("#results tbody tr")
    assert rows.count() == 5
    # the letter: "methotrexate (12), prednisone (4), dupilumab (4), oral tacrolimus (1) and cyclosporine (1)"
    assert rows.nth(0).locator("td").all_inner_texts() == ["methotrexate", "12", "12"]
    assert page.inner_text("#status").startswith("5 rows")

    # an ad-hoc query whose results are entity IRIs: rendered as links to entity pages
    page.fill("#query", "SELECT ?course ?disease WHERE { ?course jakkg:caseNumber 20 ; jakkg:disease ?disease }")
    page.focus("#query")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#status[data-state='done']")
    link = page.locator("#results tbody tr td a.entity").first
    assert link.inner_text() == "therapy-course/muntaner-virgili-2025-jaki-combination-letter/20"
    link.click()
    page.wait_for_selector("h1")
    assert page.inner_text("h1") == "case 20 (muntaner-virgili-2025-jaki-combination-letter)"
    # the evidence: the table row as printed (its typo included), highlighted in context
    mark = page.locator("figure.evidence mark").first
    assert "Upadacitinib 15 smg/day" in mark.inner_text()
    assert page.locator("figure.evidence .ctx").count() >= 2
    assert mark.evaluate("m => getComputedStyle(m).backgroundColor") == "rgb(255, 226, 122)"
    # and from there to a linked entity
    page.click("#out a.entity:text-is('atopic dermatitis')")
    page.wait_for_url(server + "/entity/disease/atopic-dermatitis")
    assert page.inner_text("h1") == "atopic dermatitis"


def test_external_ids_are_links(server, page):
    page.goto(server + "/")
    page.wait_for_selector("body[data-ready='1']")
    page.select_option("#examples", "32-external-ids-of-drug")   # ruxolitinib by default
    page.click("#run")
    page.wait_for_selector("#status[data-state='done']")
    hrefs = page.locator("#results tbody a.external").evaluate_all("as => as.map(a => a.href)")
    # data/lexicon/drugs.tsv: ruxolitinib is CHEBI:66919, DrugBank DB08877
    assert "http://purl.obolibrary.org/obo/CHEBI_66919" in hrefs
    assert "https://go.drugbank.com/drugs/DB08877" in hrefs
    assert page.locator("#results tbody a.external").first.inner_text().startswith("http")


def test_errors_are_shown_on_the_page(server, page):
    page.goto(server + "/")
    page.wait_for_selector("body[data-ready='1']")
    page.fill("#query", "INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    page.click("#run")
    page.wait_for_selector("#status[data-state='error']")
    assert page.inner_text("#status") == "HTTP 403"
    assert page.inner_text("#error") == "error: SPARQL Update (INSERT) is not allowed: this endpoint is read-only"
    assert page.locator("#results tbody tr").count() == 0
