/**
 * The inspector's page and script: static text, with no data in it. The decisions come only
 * from the event stream, which is the part access control guards.
 */
export const INSPECTOR_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gatehouse inspector</title>
<style>
  :root { color-scheme: light dark; font: 14px/1.45 system-ui, sans-serif; }
  body { margin: 0; padding: 1.25rem 1.5rem; }
  header { display: flex; gap: 1rem; align-items: baseline; flex-wrap: wrap; }
  h1 { font-size: 1.25rem; margin: 0; }
  #state { font-size: .85rem; opacity: .75; }
  input { font: inherit; padding: .3rem .5rem; min-width: 18rem; }
  table { border-collapse: collapse; width: 100%; margin-top: 1rem; }
  th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid color-mix(in srgb, currentColor 15%, transparent); vertical-align: top; }
  th { font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; opacity: .7; }
  td.code, td.origin, td.path { font-family: ui-monospace, monospace; font-size: .85rem; word-break: break-all; }
  tr.denied td.verdict { color: #c0392b; font-weight: 600; }
  tr.allowed td.verdict { color: #1e8449; font-weight: 600; }
  td.fix { max-width: 36rem; }
  .empty { margin-top: 2rem; opacity: .7; }
</style>
</head>
<body>
<header>
  <h1>Gatehouse inspector</h1>
  <span id="state">connecting…</span>
  <input id="filter" type="search" placeholder="filter by origin, path or code" aria-label="Filter">
</header>
<table>
  <thead><tr><th>time</th><th>kind</th><th>origin</th><th>method</th><th>path</th><th>verdict</th><th>reason</th><th>fix</th></tr></thead>
  <tbody id="rows"></tbody>
</table>
<p class="empty" id="empty">No cross-origin request yet. Requests from pages on other origins, CSRF refusals and WebSocket upgrades appear here as they happen.</p>
<script src="/_gatehouse/inspector/app.js"></script>
</body>
</html>
`;

export const INSPECTOR_SCRIPT = `"use strict";
const rows = document.getElementById("rows");
const state = document.getElementById("state");
const filter = document.getElementById("filter");
const empty = document.getElementById("empty");
const token = new URLSearchParams(location.search).get("token");
const url = "/_gatehouse/inspector/events" + (token ? "?token=" + encodeURIComponent(token) : "");
const MAX_ROWS = 500;

function cell(row, text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  row.appendChild(td);
}

function matches(row) {
  const q = filter.value.trim().toLowerCase();
  return q === "" || row.dataset.search.includes(q);
}

function add(entry) {
  const row = document.createElement("tr");
  row.className = entry.verdict;
  row.dataset.search = [entry.origin, entry.path, entry.code, entry.kind, entry.method].join(" ").toLowerCase();
  cell(row, entry.time.slice(11, 23));
  cell(row, entry.kind);
  cell(row, entry.origin, "origin");
  cell(row, entry.method);
  cell(row, entry.path, "path");
  cell(row, entry.verdict, "verdict");
  cell(row, entry.code, "code");
  cell(row, entry.fix, "fix");
  row.hidden = !matches(row);
  rows.prepend(row);
  while (rows.children.length > MAX_ROWS) rows.lastElementChild.remove();
  empty.hidden = true;
}

filter.addEventListener("input", () => {
  for (const row of rows.children) row.hidden = !matches(row);
});

const source = new EventSource(url);
source.onopen = () => { state.textContent = "live"; };
source.onerror = () => { state.textContent = "disconnected: retrying…"; };
source.onmessage = (event) => add(JSON.parse(event.data));
`;
