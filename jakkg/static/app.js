// jakkg query page: plain JavaScript, no dependencies, nothing fetched from other hosts.
"use strict";
const ID = "https://w3id.org/jakkg/id/";
const $ = (sel) => document.querySelector(sel);
let PREFIXES = {};
let QUERIES = [];

function shorten(iri) {
  if (iri.startsWith(ID)) return iri.slice(ID.length);
  for (const [p, ns] of Object.entries(PREFIXES)) {
    if (p !== "id" && iri.startsWith(ns)) return p + ":" + iri.slice(ns.length);
  }
  return iri;
}

function link(href, text, cls) {
  const a = document.createElement("a");
  a.href = href; a.textContent = text; a.className = cls;
  if (cls === "external") a.rel = "noopener";
  return a;
}

// One result cell: entity IRIs → entity page, other IRIs and external IDs → links.
function cell(term) {
  const td = document.createElement("td");
  if (!term) return td;
  if (term.type === "uri") {
    if (term.value.startsWith(ID)) {
      td.appendChild(link("/entity/" + term.value.slice(ID.length), shorten(term.value), "entity"));
    } else if (/^https?:\/\//.test(term.value)) {
      td.appendChild(link(term.value, shorten(term.value), "external"));
    } else td.textContent = term.value;
  } else if (term.type === "bnode") {
    td.textContent = "_:" + term.value;
  } else {
    const doi = /^doi:(10\..+)$/.exec(term.value);
    const nct = /^(NCT\d{8})$/.exec(term.value);
    if (doi) td.appendChild(link("https://doi.org/" + doi[1], term.value, "external"));
    else if (nct) td.appendChild(link("https://clinicaltrials.gov/study/" + nct[1], term.value, "external"));
    else td.textContent = term.value;
    if (term.datatype && !term.datatype.endsWith("#string")) td.title = shorten(term.datatype);
    if (term["xml:lang"]) td.title = "@" + term["xml:lang"];
  }
  return td;
}

function clear() {
  $("#results thead").replaceChildren();
  $("#results tbody").replaceChildren();
  $("#graph").hidden = true;
  $("#error").hidden = true;
}

function setStatus(text, state) {
  $("#status").textContent = text;
  $("#status").dataset.state = state;
}

async function run() {
  clear();
  setStatus("running…", "running");
  const t0 = performance.now();
  let resp;
  try {
    resp = await fetch("/sparql", {
      method: "POST",
      headers: {"Content-Type": "application/sparql-query",
                "Accept": "application/sparql-results+json, text/turtle;q=0.9"},
      body: $("#query").value,
    });
  } catch (e) {
    $("#error").textContent = "error: " + e; $("#error").hidden = false;
    setStatus("failed", "error"); return;
  }
  const ms = Math.round(performance.now() - t0);
  const type = resp.headers.get("Content-Type") || "";
  if (!resp.ok) {
    $("#error").textContent = (await resp.text()).trim();
    $("#error").hidden = false;
    setStatus("HTTP " + resp.status, "error");
    return;
  }
  const truncated = resp.headers.get("X-Jakkg-Truncated");
  if (type.startsWith("application/sparql-results+json")) {
    const data = await resp.json();
    if ("boolean" in data) {
      $("#graph").textContent = String(data.boolean); $("#graph").hidden = false;
      setStatus("ASK in " + ms + " ms", "done"); return;
    }
    const vars = data.head.vars;
    const tr = document.createElement("tr");
    for (const v of vars) { const th = document.createElement("th"); th.textContent = v; tr.appendChild(th); }
    $("#results thead").appendChild(tr);
    const frag = document.createDocumentFragment();
    for (const b of data.results.bindings) {
      const row = document.createElement("tr");
      for (const v of vars) row.appendChild(cell(b[v]));
      frag.appendChild(row);
    }
    $("#results tbody").appendChild(frag);
    const n = data.results.bindings.length;
    setStatus(n + " row" + (n === 1 ? "" : "s") + " in " + ms + " ms" + (truncated ? " (capped: " + truncated + ")" : ""), "done");
  } else {
    $("#graph").textContent = await resp.text(); $("#graph").hidden = false;
    setStatus("graph in " + ms + " ms", "done");
  }
}

function prologue() {
  return Object.entries(PREFIXES).map(([p, ns]) => "PREFIX " + p + ": <" + ns + ">").join("\n");
}

async function init() {
  PREFIXES = await (await fetch("/prefixes")).json();
  QUERIES = await (await fetch("/queries")).json();
  const sel = $("#examples");
  for (const q of QUERIES) {
    const o = document.createElement("option");
    o.value = q.name; o.textContent = q.name + (q.question ? " — " + q.question : "");
    sel.appendChild(o);
  }
  $("#query").value = prologue() + "\n\nSELECT ?drug ?label WHERE {\n  ?drug a jakkg:JAKInhibitor ; rdfs:label ?label .\n}\nORDER BY ?label\n";
  sel.addEventListener("change", () => {
    const q = QUERIES.find((x) => x.name === sel.value);
    if (!q) return;
    $("#query").value = q.sparql;
    $("#question").textContent = q.question + (q.parameters.length ? " (parameters: " + q.parameters.join(", ") + ")" : "");
  });
  $("#run").addEventListener("click", run);
  $("#query").addEventListener("keydown", (e) => { if (e.key === "Enter" && e.ctrlKey) { e.preventDefault(); run(); } });
  document.body.dataset.ready = "1";
}
init();
