/**
 * `report.html`: one self-contained page (no network, no external file needed): the tables, the SVG figures
 * inlined, the semantic-gap analysis and each run's configuration. A small inline script adds hover values
 * on the curves (nearest point of every visible run, smoothed and raw) and run toggles (a run hidden in the
 * bar at the top disappears from every figure). The script is ES2017 and reads its data from an inline
 * JSON block.
 */
import type { BuiltReport, ReportFigureKind } from './types';
import { escapeXml as esc } from './svg';
import { type ReportTable, type ReportTableId, reportTables } from './tables';

const CSS = `
:root { --ink: #222; --muted: #666; --rule: #ddd; --bg: #fff; --band: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: var(--bg); font: 14px/1.45 'DejaVu Sans', 'Helvetica Neue', Helvetica, Arial, sans-serif; }
header.page { padding: 18px 28px 8px; }
header.page h1 { margin: 0 0 6px; font-size: 22px; }
header.page ul { margin: 4px 0; padding-left: 18px; color: var(--muted); }
nav.runs { position: sticky; top: 0; z-index: 2; background: #fff; border-bottom: 1px solid var(--rule); padding: 8px 28px; display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: center; }
nav.runs .label { font-weight: bold; margin-right: 4px; }
nav.runs label { display: inline-flex; align-items: center; gap: 5px; cursor: pointer; user-select: none; white-space: nowrap; }
nav.runs .swatch { display: inline-block; width: 18px; height: 5px; border-radius: 2px; }
nav.runs button { font: inherit; font-size: 12px; padding: 1px 8px; border: 1px solid var(--rule); background: #fff; border-radius: 3px; cursor: pointer; }
nav.runs a { margin-left: auto; color: var(--muted); font-size: 12px; }
main { padding: 4px 28px 40px; }
section { margin: 18px 0 28px; }
h2 { font-size: 18px; border-bottom: 1px solid var(--rule); padding-bottom: 4px; margin: 0 0 10px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
p.intro { color: var(--muted); margin: 4px 0 8px; max-width: 70em; }
table.data { border-collapse: collapse; margin: 4px 0 12px; font-variant-numeric: tabular-nums; }
table.data th, table.data td { border-bottom: 1px solid var(--rule); padding: 3px 10px; text-align: right; vertical-align: top; }
table.data th:first-child, table.data td:first-child { text-align: left; }
table.data .text { text-align: left; max-width: 60em; }
table.data thead th { background: var(--band); }
table.data .dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%; margin-right: 6px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(380px, 1fr)); gap: 10px 16px; }
figure.chart { margin: 0; }
figure.chart svg { max-width: 100%; height: auto; display: block; }
figure.chart figcaption { font-size: 12px; color: var(--muted); }
figure.chart figcaption a { color: var(--muted); }
.run-hidden { display: none; }
.legend .legend-entry.run-hidden { display: inline; opacity: .25; }
tr.run-hidden { display: table-row; opacity: .35; }
#tooltip { position: fixed; pointer-events: none; z-index: 5; background: rgba(255,255,255,.97); border: 1px solid #bbb; border-radius: 4px; padding: 5px 8px; font-size: 12px; box-shadow: 0 2px 6px rgba(0,0,0,.15); display: none; }
#tooltip table { border-collapse: collapse; }
#tooltip td { padding: 0 4px; font-variant-numeric: tabular-nums; }
#tooltip td.v { text-align: right; }
#tooltip .dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; }
.hover-guide { stroke: #888; stroke-dasharray: 3 3; }
details { margin: 4px 0; }
details summary { cursor: pointer; }
pre { background: var(--band); padding: 8px; overflow: auto; max-height: 28em; font-size: 12px; }
`;

/** The hover and toggle script (plain ES2017, no dependencies). */
const SCRIPT = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('hover-data').textContent);
  var hidden = new Set();
  var tip = document.getElementById('tooltip');
  var NS = 'http://www.w3.org/2000/svg';
  function applyHidden() {
    document.querySelectorAll('[data-run]').forEach(function (el) {
      el.classList.toggle('run-hidden', hidden.has(el.getAttribute('data-run')));
    });
  }
  var toggles = document.querySelectorAll('input.run-toggle');
  toggles.forEach(function (cb) {
    cb.addEventListener('change', function () {
      if (cb.checked) hidden.delete(cb.value); else hidden.add(cb.value);
      applyHidden();
    });
  });
  function setAll(on) {
    toggles.forEach(function (cb) { cb.checked = on; if (on) hidden.delete(cb.value); else hidden.add(cb.value); });
    applyHidden();
  }
  var allBtn = document.getElementById('runs-all');
  var noneBtn = document.getElementById('runs-none');
  if (allBtn) allBtn.addEventListener('click', function () { setAll(true); });
  if (noneBtn) noneBtn.addEventListener('click', function () { setAll(false); });
  function fmt(v) {
    if (v === null || v === undefined) return '–';
    var a = Math.abs(v);
    return a !== 0 && (a >= 1e5 || a < 1e-3) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
  }
  document.querySelectorAll('figure[data-hover]').forEach(function (fig) {
    var d = data[fig.getAttribute('data-hover')];
    var svg = fig.querySelector('svg');
    if (!d || !svg) return;
    var guide = document.createElementNS(NS, 'line');
    guide.setAttribute('class', 'hover-guide');
    guide.setAttribute('y1', d.plot.top);
    guide.setAttribute('y2', d.plot.bottom);
    guide.style.display = 'none';
    var dots = document.createElementNS(NS, 'g');
    svg.appendChild(guide);
    svg.appendChild(dots);
    var ty = function (v) { return d.y.log ? Math.log10(v) : v; };
    var px = function (x) { return d.plot.left + (x - d.x.min) / (d.x.max - d.x.min) * (d.plot.right - d.plot.left); };
    var py = function (y) { return d.plot.bottom - (ty(y) - ty(d.y.min)) / (ty(d.y.max) - ty(d.y.min)) * (d.plot.bottom - d.plot.top); };
    function hide() { tip.style.display = 'none'; guide.style.display = 'none'; dots.textContent = ''; }
    svg.addEventListener('mouseleave', hide);
    svg.addEventListener('mousemove', function (ev) {
      var r = svg.getBoundingClientRect();
      var vb = svg.viewBox.baseVal;
      var sx = (ev.clientX - r.left) * vb.width / r.width;
      var sy = (ev.clientY - r.top) * vb.height / r.height;
      if (sx < d.plot.left || sx > d.plot.right || sy < d.plot.top - 4 || sy > d.plot.bottom + 4) { hide(); return; }
      var xv = d.x.min + (sx - d.plot.left) / (d.plot.right - d.plot.left) * (d.x.max - d.x.min);
      var rows = [];
      d.series.forEach(function (s) {
        if (hidden.has(s.name) || s.x.length === 0) return;
        var best = 0;
        for (var i = 1; i < s.x.length; i++) if (Math.abs(s.x[i] - xv) < Math.abs(s.x[best] - xv)) best = i;
        rows.push({ s: s, i: best });
      });
      dots.textContent = '';
      if (rows.length === 0) { hide(); return; }
      var tx = rows[0].s.x[rows[0].i];
      rows.forEach(function (row) { if (Math.abs(row.s.x[row.i] - xv) < Math.abs(tx - xv)) tx = row.s.x[row.i]; });
      guide.setAttribute('x1', px(tx));
      guide.setAttribute('x2', px(tx));
      guide.style.display = '';
      tip.textContent = '';
      var head = document.createElement('div');
      var b = document.createElement('b');
      b.textContent = d.xLabel + ' ' + fmt(tx);
      head.appendChild(b);
      tip.appendChild(head);
      var table = document.createElement('table');
      rows.forEach(function (row) {
        var s = row.s, i = row.i;
        var shown = s.smoothed ? s.smoothed[i] : s.y[i];
        var c = document.createElementNS(NS, 'circle');
        c.setAttribute('cx', px(s.x[i]));
        c.setAttribute('cy', py(shown));
        c.setAttribute('r', 4);
        c.setAttribute('fill', s.colour);
        c.setAttribute('stroke', '#fff');
        dots.appendChild(c);
        var tr = document.createElement('tr');
        var td0 = document.createElement('td');
        var dot = document.createElement('span');
        dot.className = 'dot';
        dot.style.background = s.colour;
        td0.appendChild(dot);
        var td1 = document.createElement('td');
        td1.textContent = s.name + (s.x[i] !== tx ? ' (' + d.xLabel + ' ' + fmt(s.x[i]) + ')' : '');
        var td2 = document.createElement('td');
        td2.className = 'v';
        td2.textContent = fmt(shown) + (s.smoothed ? '  (raw ' + fmt(s.y[i]) + ')' : '');
        tr.appendChild(td0); tr.appendChild(td1); tr.appendChild(td2);
        table.appendChild(tr);
      });
      tip.appendChild(table);
      tip.style.display = 'block';
      var x = ev.clientX + 16, y = ev.clientY + 12;
      if (x + tip.offsetWidth > window.innerWidth - 4) x = ev.clientX - tip.offsetWidth - 16;
      if (y + tip.offsetHeight > window.innerHeight - 4) y = ev.clientY - tip.offsetHeight - 12;
      tip.style.left = x + 'px';
      tip.style.top = y + 'px';
    });
  });
})();
`;

/** A table under an h3 (the page's sections are h2); rows of a known run get its colour dot and `data-run`. */
function tableHtml(t: ReportTable, colours: Readonly<Record<string, string>>): string {
  const h = `<h3>${esc(t.id === 'class-split' ? 'Classes by teacher agreement' : t.heading)}</h3>`;
  const textCols = new Set(t.id === 'class-split' ? [2] : []);
  const body = t.rows
    .map((row) => {
      const run = colours[row[0]!] ? row[0]! : null;
      const cells = row.map((c, i) => {
        if (i === 0 && run) return `<td><span class="dot" style="background:${esc(colours[run]!)}"></span>${esc(c)}</td>`;
        return `<td${textCols.has(i) ? ' class="text"' : ''}>${esc(c)}</td>`;
      });
      return `<tr${run ? ` data-run="${esc(run)}"` : ''}>${cells.join('')}</tr>`;
    })
    .join('\n');
  return `${h}<p class="intro">${esc(t.intro)}</p><table class="data" id="table-${t.id}"><thead><tr>${t.header.map((c, i) => `<th${textCols.has(i) ? ' class="text"' : ''}>${esc(c)}</th>`).join('')}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** Renders the report page from what {@link buildReport} built. */
export function renderHtml(built: BuiltReport): string {
  const { json } = built;
  const tables = new Map(reportTables(json, built.classNames).map((t) => [t.id, t] as const));
  const table = (id: ReportTableId) => (tables.has(id) ? tableHtml(tables.get(id)!, json.colours) : '');
  const hover: Record<string, unknown> = {};
  const figureHtml = (kind: ReportFigureKind) =>
    built.figures
      .filter((f) => f.figure.kind === kind)
      .map((f) => {
        const id = f.figure.file.replace(/\.svg$/, '');
        if (f.svg.hover) hover[id] = f.svg.hover;
        const links = [`<a href="${esc(f.figure.file)}">SVG</a>`, ...(f.figure.png ? [`<a href="${esc(f.figure.png.file)}">PNG</a>`] : [])].join(' · ');
        return `<figure class="chart" id="fig-${esc(id)}"${f.svg.hover ? ` data-hover="${esc(id)}"` : ''}>${f.svg.svg}<figcaption>${links}</figcaption></figure>`;
      });
  const sections: string[] = [];
  const section = (id: string, heading: string, ...parts: string[]) => {
    const content = parts.filter((p) => p !== '').join('\n');
    if (content) sections.push(`<section id="${id}"><h2>${esc(heading)}</h2>\n${content}\n</section>`);
  };
  section('results', 'Results', table('comparison'), table('bootstrap'), table('recognition'), table('retrieval'));
  const loss = figureHtml('loss-term');
  const c = json.curves;
  section(
    'training',
    'Training curves',
    loss.length && c
      ? `<p class="intro">One plot per loss term, every run overlaid (x: global step). ${
          c.smoothing > 0 ? `Solid: exponential moving average (weight ${c.smoothing}); faint: the logged values.` : 'Values as logged.'
        }${c.logScale ? ' Log y axis where every value is positive.' : ''} Hover a plot for values; the bar above hides or shows runs.</p><div class="grid">${loss.join('\n')}</div>`
      : '',
  );
  const epoch = figureHtml('epoch-metric');
  section(
    'held-out',
    'Held-out accuracy per epoch',
    epoch.length ? `<p class="intro">Metrics logged after every epoch, per run (accuracies in %).</p><div class="grid">${epoch.join('\n')}</div>` : '',
  );
  const rk = figureHtml('recall-at-k');
  const pc = figureHtml('per-class-accuracy');
  section('figures', 'Retrieval and per-class accuracy', rk.length ? `<div class="grid">${rk.join('\n')}</div>` : '', ...pc);
  const subset = figureHtml('subset-accuracy');
  section('semantic-gap', 'Semantic gap', table('class-split'), table('subset-accuracy'), ...subset);
  section('probes', 'Linear probes', table('probes'));
  const configs = Object.entries(built.runConfigs);
  section(
    'configs',
    'Run configurations',
    configs
      .map(
        ([run, cfg]) =>
          `<details data-run="${esc(run)}"><summary><span class="dot" style="display:inline-block;width:9px;height:9px;border-radius:50%;background:${esc(
            json.colours[run] ?? '#888',
          )}"></span> ${esc(run)}</summary><pre>${esc(JSON.stringify(cfg, null, 2))}</pre></details>`,
      )
      .join('\n'),
  );
  const runNames = Object.keys(json.colours);
  const nav = runNames.length
    ? `<nav class="runs"><span class="label">Runs</span>${runNames
        .map(
          (n) =>
            `<label><input type="checkbox" class="run-toggle" value="${esc(n)}" checked><span class="swatch" style="background:${esc(json.colours[n]!)}"></span>${esc(n)}</label>`,
        )
        .join(
          '',
        )}<button type="button" id="runs-all">all</button><button type="button" id="runs-none">none</button><a href="curves.csv">curves.csv</a><a href="results.csv" style="margin-left:0">results.csv</a></nav>`
    : '';
  const hoverJson = JSON.stringify(hover).replace(/</g, '\\u003c');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(json.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header class="page"><h1>${esc(json.title)}</h1>${json.notes.length ? `<ul>${json.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}</header>
${nav}
<main>
${sections.join('\n')}
</main>
<div id="tooltip"></div>
<script type="application/json" id="hover-data">${hoverJson}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
