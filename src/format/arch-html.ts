/**
 * `arch --format html`: one self-contained page (inline CSS, no scripts, no external requests) that shows at a
 * glance each workload against the capability matrix: a grid of workloads × needs, each cell coloured by the
 * matrix value of the need on the workload's chosen endpoint, failing workloads flagged, then each workload's
 * reasons and recommendation, a legend and the sources. Pure: the same report gives the same bytes.
 */
import type { ArchReport, WorkloadResult } from '../arch/check.js';
import type { CellValue, Finding, Severity } from '../types.js';
import { VERSION } from '../version.js';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** Only https links become anchors; anything else is shown as text. */
const link = (url: string, text = url): string => (/^https:\/\/[^\s"'<>]+$/.test(url) ? `<a href="${esc(url)}">${esc(text)}</a>` : esc(text));

const MARK: Record<CellValue, string> = { yes: '✓', no: '✗', conditional: '◐', unknown: '?' };
const WORD: Record<CellValue, string> = { yes: 'yes', no: 'no', conditional: 'conditional', unknown: 'unknown' };
const SEVERITY_MARK: Record<Severity, string> = { error: '✗', warning: '!', info: 'i' };

const slug = (s: string, i: number): string => `w${i}-${s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;

const CSS = `
:root { color-scheme: light; --yes: #1a7f37; --yes-bg: #d1f4d9; --no: #b3261e; --no-bg: #ffd8d3; --cond: #8a5a00; --cond-bg: #ffefb0;
  --unk: #4b5563; --unk-bg: #e5e7eb; --line: #d0d7de; --muted: #57606a; --ink: #1f2328; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 0; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
p { margin: 4px 0; }
code { font: 12.5px/1.3 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
a { color: #0969da; }
.meta { color: var(--muted); }
.summary { display: flex; gap: 10px; margin: 14px 0 6px; flex-wrap: wrap; }
.stat { border: 1px solid var(--line); border-radius: 8px; padding: 6px 12px; min-width: 110px; }
.stat b { display: block; font-size: 20px; }
.stat.ok b { color: var(--yes); } .stat.failing b { color: var(--no); }
.stat.failing.none b { color: var(--muted); }
.legend { display: flex; gap: 14px; flex-wrap: wrap; align-items: center; margin: 10px 0 12px; color: var(--muted); }
.legend span.cell { display: inline-block; min-width: 92px; padding: 3px 8px; border-radius: 4px; text-align: center; }
.wrap { overflow-x: auto; border: 1px solid var(--line); border-radius: 8px; }
table.grid { border-collapse: separate; border-spacing: 0; width: 100%; }
table.grid th, table.grid td { border-bottom: 1px solid var(--line); padding: 6px 8px; vertical-align: middle; }
table.grid thead th { background: #f6f8fa; font-weight: 600; text-align: left; position: sticky; top: 0; }
table.grid thead th.need { text-align: center; height: 150px; vertical-align: bottom; padding: 6px 2px; width: 40px; }
table.grid thead th.need span { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
table.grid tbody tr:last-child th, table.grid tbody tr:last-child td { border-bottom: 0; }
table.grid tbody th { text-align: left; font-weight: 600; min-width: 150px; max-width: 200px; border-left: 5px solid var(--yes); }
table.grid tbody tr.failing th { border-left-color: var(--no); background: #fff5f4; }
table.grid tbody th .path { display: block; font-weight: 400; color: var(--muted); font-size: 12px; }
td.cell { text-align: center; font-weight: 600; font-size: 13px; border-left: 1px solid #fff; width: 40px; padding: 4px 2px; line-height: 1.15; }
td.cell .mark { display: block; font-size: 15px; }
td.cell .word { display: block; font-size: 10.5px; font-weight: 600; text-transform: uppercase; letter-spacing: .03em; }
.cell-yes { background: var(--yes-bg); color: var(--yes); }
.cell-no { background: var(--no-bg); color: var(--no); }
.cell-conditional { background: var(--cond-bg); color: var(--cond); }
.cell-unknown { background: var(--unk-bg); color: var(--unk); }
.cell-none { background: #fff; color: #afb8c1; font-weight: 400; }
.endpoint { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; white-space: nowrap; }
.chips { display: flex; flex-direction: column; gap: 3px; align-items: flex-start; }
.chip { display: inline-block; border-radius: 10px; padding: 1px 8px; font-size: 11.5px; white-space: nowrap; max-width: 190px; overflow: hidden; text-overflow: ellipsis; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
td.status { white-space: nowrap; }
.badge { display: inline-block; border-radius: 10px; padding: 1px 9px; font-size: 12px; font-weight: 700; letter-spacing: .02em; white-space: nowrap; }
.badge.ok { background: var(--yes-bg); color: var(--yes); }
.badge.failing { background: var(--no); color: #fff; }
.endpoint-cell .recommended { display: block; font-size: 11.5px; white-space: nowrap; margin-top: 2px; }
.recommended.same { color: var(--muted); }
.recommended.other { color: var(--no); font-weight: 700; }
.workload { border: 1px solid var(--line); border-left: 5px solid var(--yes); border-radius: 8px; padding: 12px 16px; margin: 12px 0; }
.workload.failing { border-left-color: var(--no); }
.reasons { list-style: none; padding: 0; margin: 10px 0 0; }
.reasons li { padding: 6px 0 6px 30px; position: relative; border-top: 1px dashed #eaeef2; }
.reasons li:first-child { border-top: 0; }
.reasons li .sev { position: absolute; left: 0; top: 7px; width: 20px; height: 20px; border-radius: 50%; text-align: center; font-weight: 700; font-size: 12px; line-height: 20px; }
.sev-error { background: var(--no); color: #fff; } .sev-warning { background: #d4a72c; color: #fff; } .sev-info { background: #0969da; color: #fff; }
.reasons .code { color: var(--muted); }
.reasons .src { font-size: 12px; }
.suppressed { color: var(--muted); }
details { margin-top: 8px; } summary { cursor: pointer; color: var(--muted); }
ol.sources { padding-left: 22px; } ol.sources li { margin: 2px 0; }
footer { margin-top: 36px; color: var(--muted); font-size: 12px; }
`;

function chipList(items: ReadonlyArray<{ id: string; cell: CellValue; label?: string | null }>, kind: string, endpoint: string): string {
  if (items.length === 0) return '<span class="cell-none">–</span>';
  return `<div class="chips">${items
    .map((x) => {
      const title = `${x.label ? `${x.label}: ` : ''}${kind === 'model' ? `served by ${endpoint}` : `${endpoint} offered here`}: ${WORD[x.cell]}`;
      return `<span class="chip cell-${x.cell}" data-${kind}="${esc(x.id)}" data-value="${x.cell}" title="${esc(title)}">${MARK[x.cell]} ${esc(x.id)}</span>`;
    })
    .join('')}</div>`;
}

function reasonItem(f: Finding): string {
  return `<li data-severity="${f.severity}"><span class="sev sev-${f.severity}" title="${f.severity}">${SEVERITY_MARK[f.severity]}</span><code class="code">${esc(f.code)}</code> <b>${esc(f.subject)}</b>: ${esc(f.message)}${
    f.source ? ` <span class="src">(${link(f.source, 'source')})</span>` : ''
  }</li>`;
}

function gridRow(r: ArchReport, w: WorkloadResult, i: number): string {
  const cells = r.needs.map((n) => {
    const c = w.needs.find((x) => x.id === n.id);
    if (!c) return `<td class="cell cell-none" data-need="${esc(n.id)}" data-value="" title="${esc(`${w.name} does not need ${n.id}`)}">·</td>`;
    const title = `${n.label} (${n.id}) on ${w.endpoint}: ${WORD[c.cell]}${c.condition ? `, ${c.condition}` : ''}${c.detail ? `; ${c.detail}` : ''}. Source: ${c.source}, as of ${c.asOf}`;
    return `<td class="cell cell-${c.cell}" data-need="${esc(n.id)}" data-value="${c.cell}" title="${esc(title)}"><span class="mark">${MARK[c.cell]}</span><span class="word">${c.cell === 'conditional' ? 'cond.' : WORD[c.cell]}</span></td>`;
  });
  const rec = w.recommendation.endpoint;
  const recCell =
    rec === w.endpoint
      ? `<span class="recommended same" title="the matrix recommends the chosen endpoint">✓ recommended</span>`
      : rec === null
        ? '<span class="recommended other" title="no single endpoint meets every need">→ split across both</span>'
        : `<span class="recommended other" title="the matrix recommends ${esc(rec)} for these needs">→ ${esc(rec)}</span>`;
  return `<tr class="workload-row ${w.ok ? 'ok' : 'failing'}" data-workload="${esc(w.name)}" data-ok="${w.ok}">
<th scope="row"><a href="#${slug(w.name, i)}">${esc(w.name)}</a>${w.path ? `<span class="path">${esc(w.path)}</span>` : ''}</th>
<td class="status">${w.ok ? '<span class="badge ok">OK</span>' : '<span class="badge failing">FAILING</span>'}</td>
<td class="endpoint-cell"><span class="endpoint">${esc(w.endpoint)}</span>${recCell}</td>
${cells.join('\n')}
<td class="models">${chipList(w.models, 'model', w.endpoint)}</td>
<td class="regions">${chipList(w.regions, 'region', w.endpoint)}</td>
</tr>`;
}

function workloadSection(w: WorkloadResult, i: number): string {
  const out: string[] = [];
  out.push(`<section class="workload ${w.ok ? 'ok' : 'failing'}" id="${slug(w.name, i)}" data-workload="${esc(w.name)}">`);
  out.push(`<h3>${esc(w.name)} <span class="endpoint">${esc(w.endpoint)}</span> ${w.ok ? '<span class="badge ok">OK</span>' : '<span class="badge failing">FAILING</span>'}</h3>`);
  if (w.path) out.push(`<p class="meta">${esc(w.path)}</p>`);
  if (w.notes) out.push(`<p>${esc(w.notes)}</p>`);
  if (w.reasons.length === 0) out.push('<p class="meta">No problems found on this endpoint.</p>');
  else out.push(`<ul class="reasons">${w.reasons.map(reasonItem).join('')}</ul>`);
  if (w.suppressed.length > 0) {
    out.push(
      `<details class="suppressed"><summary>${w.suppressed.length} suppressed by the configuration</summary><ul>${w.suppressed
        .map((s) => `<li>${esc(s.severity)} <code>${esc(s.code)}</code> ${esc(s.subject)}: ${esc(s.suppressed.reason)} (${esc(s.suppressed.by)})</li>`)
        .join('')}</ul></details>`,
    );
  }
  const rec = w.recommendation;
  const head =
    rec.endpoint === w.endpoint
      ? `Recommended endpoint: <span class="endpoint">${esc(rec.endpoint)}</span>, the one chosen.`
      : rec.endpoint === null
        ? `No single endpoint meets every need: ${Object.entries(rec.split ?? {})
            .map(([n, e]) => `<code>${esc(n)}</code> → <span class="endpoint">${esc(e ?? 'none')}</span>`)
            .join(', ')}.`
        : `Recommended endpoint: <b class="endpoint">${esc(rec.endpoint)}</b> instead of <span class="endpoint">${esc(w.endpoint)}</span>.`;
  out.push(`<details class="recommendation"${rec.endpoint === w.endpoint ? '' : ' open'}><summary>${head}</summary><ul>${rec.reasons.map((x) => `<li>${esc(x)}</li>`).join('')}</ul></details>`);
  out.push('</section>');
  return out.join('\n');
}

export function formatArchHtml(r: ArchReport): string {
  const title = r.title ?? 'Architecture check';
  const s = r.summary;
  const legend = (['yes', 'no', 'conditional', 'unknown'] as const)
    .map((v) => `<span class="cell cell-${v}" data-legend="${v}">${MARK[v]} ${WORD[v]}</span>`)
    .concat('<span class="cell cell-none" data-legend="none">· not needed</span>')
    .join('\n');
  const meta = [r.file ? `File <code>${esc(r.file)}</code>` : undefined, `configuration ${r.config ? `<code>${esc(r.config)}</code>` : 'none'}`].filter((x) => x !== undefined);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${esc(title)}</h1>
${r.description ? `<p>${esc(r.description)}</p>` : ''}
<p class="meta">${meta.join(' · ')}</p>
<div class="summary" id="summary" data-workloads="${s.workloads}" data-ok="${s.ok}" data-failing="${s.failing}">
<div class="stat"><b>${s.workloads}</b>workloads</div>
<div class="stat ok"><b>${s.ok}</b>ok</div>
<div class="stat failing${s.failing === 0 ? ' none' : ''}"><b>${s.failing}</b>failing</div>
</div>
</header>
<main>
<h2>Workloads against the capability matrix</h2>
<p class="meta">Each cell is the matrix value of the need on the workload's chosen endpoint; hover a cell for its condition and source.</p>
<div class="legend" id="legend">${legend}</div>
<div class="wrap">
<table class="grid" id="grid">
<thead><tr><th scope="col">Workload</th><th scope="col">Status</th><th scope="col">Endpoint</th>
${r.needs.map((n) => `<th scope="col" class="need" data-need="${esc(n.id)}" title="${esc(n.label)}"><span>${esc(n.id)}</span></th>`).join('\n')}
<th scope="col">Models</th><th scope="col">Regions</th></tr></thead>
<tbody>
${r.workloads.map((w, i) => gridRow(r, w, i)).join('\n')}
</tbody>
</table>
</div>
<h2>Workloads</h2>
${r.workloads.map(workloadSection).join('\n')}
<h2>Sources</h2>
<ol class="sources">
${r.sources.map((x) => `<li>${link(x.source)} <span class="meta">(as of ${esc(x.asOf)})</span></li>`).join('\n')}
</ol>
</main>
<footer>Generated by bedrock-preflight ${esc(VERSION)} <code>arch --format html</code>. Self-contained: no scripts, no external resources.</footer>
</body>
</html>
`;
}
