/**
 * The audit report as one self-contained HTML page with inline SVG charts (no script, no network): where traffic
 * could go (a stacked bar), what blocks it, what fails today and the traffic by operation, model and Region.
 */
import type { AuditReport, Counted, Example, Readiness } from './report.js';
import { andMore, otherKeys, otherKeysIntro, READINESS_LABELS, READINESS_ORDER, top, where } from './format.js';

const COLORS: Record<Readiness, string> = { asIs: '#2e7d32', change: '#f9a825', cannot: '#c62828', unknown: '#9e9e9e' };

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
/** An example as a short name (the file's last part), with the full location in its tooltip. */
/** A tally's examples, one a line, and how many more it counts. */
const examplesHtml = (t: Counted): string => `${t.examples.map(exampleHtml).join('<br>')}${t.count > t.examples.length ? `<br>${esc(andMore(t, t.examples.length).slice(2))}` : ''}`;
const exampleHtml = (e: Example): string => `<span title="${esc(where(e))}">${esc(`${e.file.split('/').pop()}:${e.line}`)}${e.requestId ? ` <code>${esc(e.requestId)}</code>` : ''}</span>${e.detail ? ` ${esc(e.detail)}` : ''}`;

function readinessBar(r: AuditReport): string {
  const total = READINESS_ORDER.reduce((a, k) => a + r.mantle.readiness[k].count, 0);
  let x = 0;
  const rects = READINESS_ORDER.map((k) => {
    const n = r.mantle.readiness[k].count;
    const w = total === 0 ? 0 : (n / total) * 800;
    const rect = `<rect class="readiness" data-readiness="${k}" data-count="${n}" x="${x.toFixed(2)}" y="0" width="${w.toFixed(2)}" height="40" fill="${COLORS[k]}"><title>${READINESS_LABELS[k]}: ${n} (${pct(r.shares[k])})</title></rect>`;
    x += w;
    return rect;
  });
  const legend = READINESS_ORDER.map((k, i) => `<rect x="${i * 200}" y="52" width="14" height="14" fill="${COLORS[k]}"/><text x="${i * 200 + 20}" y="64">${READINESS_LABELS[k]} ${pct(r.shares[k])}</text>`);
  return `<svg id="readiness" role="img" aria-label="Readiness for bedrock-mantle" viewBox="0 0 800 72" width="800" height="72">${rects.join('')}${legend.join('')}</svg>`;
}

/** A horizontal bar chart of labelled counts, largest first. */
function bars(id: string, title: string, entries: Array<[string, number]>, color: string): string {
  if (entries.length === 0) return `<h3>${esc(title)}</h3><p class="none">None.</p>`;
  const max = Math.max(...entries.map(([, n]) => n));
  const rows = entries.map(([label, n], i) => {
    const w = max === 0 ? 0 : (n / max) * 420;
    return `<g transform="translate(0 ${i * 24})"><text x="0" y="15">${esc(label.length > 48 ? `${label.slice(0, 47)}…` : label)}</text><rect class="bar" data-label="${esc(label)}" data-count="${n}" x="330" y="3" width="${w.toFixed(2)}" height="16" fill="${color}"/><text x="${(336 + w).toFixed(2)}" y="15">${n.toLocaleString('en-US')}</text></g>`;
  });
  return `<h3>${esc(title)}</h3><svg id="${id}" class="chart" role="img" aria-label="${esc(title)}" viewBox="0 0 820 ${entries.length * 24}" width="820" height="${entries.length * 24}">${rows.join('')}</svg>`;
}

/** The records under keys the maps of counts did not keep; nothing when they kept every key. */
function otherKeysHtml(r: AuditReport): string {
  const rows = otherKeys(r).map(([pointer, n]) => `<tr><td>${esc(pointer)}</td><td>${n}</td></tr>`);
  return rows.length === 0 ? '' : `<h3>Keys not kept</h3><p>${esc(otherKeysIntro(r))}</p><table id="other-keys-table"><tr><th>map</th><th>records</th></tr>${rows.join('')}</table>`;
}

export function formatAuditHtml(r: AuditReport): string {
  const blockers = Object.entries(r.mantle.blockers).map(([k, b]) => [k, b.count] as [string, number]).sort((a, b) => b[1] - a[1]);
  const findings = Object.entries(r.today.findings).map(([k, f]) => [k, f.count] as [string, number]).sort((a, b) => b[1] - a[1]).slice(0, 12);
  const blockerRows = Object.values(r.mantle.blockers)
    .sort((a, b) => b.count - a.count)
    .map((b) => `<tr><td>${esc(b.subject)}</td><td>${b.count}</td><td>${esc(b.reason)}</td><td>${b.source ? `<a href="${esc(b.source)}">source</a>` : ''}${b.asOf ? ` (${esc(b.asOf)})` : ''}</td></tr>`);
  const changeRows = Object.entries(r.mantle.changes).map(([k, t]) => `<tr><td>${esc(k)}</td><td>${t.count}</td><td>${esc(top(t.details, 3).map(([d, n]) => `${d} (${n})`).join('; '))}</td></tr>`);
  const findingRows = Object.values(r.today.findings)
    .sort((a, b) => b.count - a.count)
    .map((f) => `<tr class="sev-${esc(f.severity)}"><td>${esc(f.severity)}</td><td>${esc(f.code)} ${esc(f.subject)}</td><td>${f.count}</td><td>${examplesHtml(f)}</td></tr>`);
  const inputRows = [...Object.entries(r.records.notAudited).map(([k, t]) => ['not audited', k, t] as const), ...Object.entries(r.records.problems).map(([k, t]) => ['problem', k, t] as const)].map(
    ([kind, k, t]) => `<tr><td>${kind}</td><td>${esc(k)}</td><td>${t.count}</td><td>${examplesHtml(t)}</td></tr>`,
  );
  const lifecycleRows = Object.values(r.lifecycle.models).map((m) => `<tr><td>${esc(m.label)}</td><td>${m.count}</td><td>${esc(Object.entries(m.lifecycle).map(([k, v]) => `${k}: ${v}`).join(', '))}</td></tr>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bedrock invocation-log audit</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:960px;color:#1b1b1b}
h1{font-size:1.5rem}h2{margin-top:2rem;border-bottom:1px solid #ddd}
svg text{font:12px system-ui,sans-serif;fill:#1b1b1b}
table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
.kpis{display:flex;gap:1rem}.kpi{border:1px solid #ddd;border-radius:6px;padding:.5rem 1rem}.kpi b{display:block;font-size:1.4rem}
.sev-error td:first-child{color:#c62828}.sev-warning td:first-child{color:#8d6e00}
</style></head><body>
<h1>Bedrock invocation-log audit</h1>
<p>Record format: <a href="${esc(r.recordFormat.source)}">model invocation logging</a> (as of ${esc(r.recordFormat.asOf)}).</p>
<div class="kpis"><div class="kpi"><b id="kpi-records">${r.records.total}</b>records</div><div class="kpi"><b id="kpi-audited">${r.records.audited}</b>audited</div><div class="kpi"><b id="kpi-failing">${pct(r.shares.failingToday)}</b>failing today</div><div class="kpi"><b id="kpi-asis">${pct(r.shares.asIs)}</b>could move as is</div></div>
<h2>Moving to bedrock-mantle</h2>
${readinessBar(r)}
${bars('blockers', 'What blocks the move', blockers, COLORS.cannot)}
<table id="blocker-table"><tr><th>blocker</th><th>records</th><th>reason</th><th>source</th></tr>${blockerRows.join('')}</table>
<h3>Changes needed</h3>
<table id="change-table"><tr><th>change</th><th>records</th><th>most frequent</th></tr>${changeRows.join('')}</table>
<h2>Failing today on bedrock-runtime</h2>
${bars('findings', 'Findings', findings, '#6a1b9a')}
<table id="finding-table"><tr><th>severity</th><th>finding</th><th>records</th><th>examples</th></tr>${findingRows.join('')}</table>
<h2>Traffic</h2>
${bars('by-operation', 'By operation', top(r.traffic.byOperation, 10), '#1565c0')}
${bars('by-model', 'By model', top(r.traffic.byModel, 10), '#1565c0')}
${bars('by-region', 'By Region', top(r.traffic.byRegion, 10), '#1565c0')}
${bars('by-identity', 'By identity', top(r.traffic.byIdentity, 10), '#1565c0')}
${otherKeysHtml(r)}
${lifecycleRows.length > 0 ? `<h2>Model lifecycle</h2><table id="lifecycle-table"><tr><th>model</th><th>records</th><th>lifecycle</th></tr>${lifecycleRows.join('')}</table>` : ''}
<h2>Not audited and problems</h2>
<table id="input-table"><tr><th>kind</th><th>code</th><th>records</th><th>examples</th></tr>${inputRows.join('')}</table>
</body></html>
`;
}
