/**
 * The `audit --format html` page in a real headless Chromium (playwright-core driving /usr/bin/chromium): the
 * readiness bar's segments are as wide as their share of the audited records in the JSON report, the blocker chart
 * has a bar per blocker with its count, and loading the page makes no request beyond the file itself.
 * A screenshot is kept in the temp folder for people to look at.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCorpus } from '../../scripts/gen-invocation-logs.js';
import type { AuditReport } from '../../src/audit/report.js';

declare const document: { querySelectorAll: (s: string) => ArrayLike<{ getAttribute: (n: string) => string | null; getBoundingClientRect: () => { width: number } }> };

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'dist', 'cli.cjs');
const CHROMIUM = '/usr/bin/chromium';
const tmp = mkdtempSync(join(tmpdir(), 'bp-audit-html-'));
const SCREENSHOT = join(tmpdir(), 'bedrock-preflight-audit.png');

let browser: Browser;
let page: Page;
let report: AuditReport;
const requests: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: the HTML report is tested in a real browser. Install it with "apt-get install -y chromium" (Debian).`);
  if (!existsSync(bin)) throw new Error('dist/cli.cjs is missing: run "npm run build" (npm test builds it)');
  const corpus = join(tmp, 'logs');
  await writeCorpus({ dir: corpus, bytes: 300_000, files: 2, seed: 9 });
  const html = spawnSync(process.execPath, [bin, 'audit', corpus, '--format', 'html'], { cwd: root, encoding: 'utf8' });
  expect(html.stderr).toBe('');
  report = JSON.parse(spawnSync(process.execPath, [bin, 'audit', corpus, '--format', 'json'], { cwd: root, encoding: 'utf8' }).stdout);
  const file = join(tmp, 'audit.html');
  writeFileSync(file, html.stdout);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on('request', (req) => requests.push(req.url()));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
});

afterAll(async () => {
  await browser?.close();
});

describe('audit --format html in a browser', () => {
  it('draws the readiness bar with each segment as wide as its share of audited records', async () => {
    const segments = await page.evaluate(() =>
      Array.from(document.querySelectorAll('#readiness rect.readiness')).map((r) => ({ k: r.getAttribute('data-readiness')!, width: r.getBoundingClientRect().width })),
    );
    const total = segments.reduce((a, s) => a + s.width, 0);
    expect(segments.map((s) => s.k).sort()).toEqual(Object.keys(report.mantle.readiness).sort());
    for (const s of segments) {
      const count = report.mantle.readiness[s.k as keyof AuditReport['mantle']['readiness']].count;
      expect(s.width / total).toBeCloseTo(count / report.records.audited, 2);
    }
  });

  it('has a bar per blocker, longest for the most frequent', async () => {
    const bars = await page.evaluate(() =>
      Array.from(document.querySelectorAll('#blockers rect.bar')).map((r) => ({ label: r.getAttribute('data-label')!, count: Number(r.getAttribute('data-count')), width: r.getBoundingClientRect().width })),
    );
    expect(Object.fromEntries(bars.map((b) => [b.label, b.count]))).toEqual(Object.fromEntries(Object.entries(report.mantle.blockers).map(([k, b]) => [k, b.count])));
    const widest = bars.reduce((a, b) => (b.width > a.width ? b : a));
    expect(widest.count).toBe(Math.max(...bars.map((b) => b.count)));
  });

  it('shows the key figures and loads nothing from the network', async () => {
    expect(await page.textContent('#kpi-records')).toBe(String(report.records.total));
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
  });
});
