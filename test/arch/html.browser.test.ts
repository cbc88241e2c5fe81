/**
 * The `arch --format html` page in a real headless Chromium (playwright-core driving the Chromium of test/setup/chromium.ts): the
 * grid has a row per workload and a cell per need, coloured by the matrix value as the legend says, the failing
 * workload is flagged, and loading the page makes no request beyond the file itself. A screenshot is kept in
 * the temp folder for people to look at.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

// The $eval callbacks run in the page. This project's lib has no DOM, so what they use is declared here.
declare const getComputedStyle: (el: unknown) => { backgroundColor: string; borderLeftColor: string };
type Rendered = { innerText: string };

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'dist', 'cli.cjs');
const tmp = mkdtempSync(join(tmpdir(), 'bp-arch-html-'));
const SCREENSHOT = join(tmpdir(), 'bedrock-preflight-arch.png');

let browser: Browser;
let page: Page;
const requests: string[] = [];
const failed: string[] = [];

beforeAll(async () => {
  if (!existsSync(bin)) throw new Error('dist/cli.cjs is missing: run "npx tsup" (npm test builds it)');
  const r = spawnSync(process.execPath, [bin, 'arch', 'examples/arch/architecture.yaml', '--format', 'html', '--no-config'], { cwd: root, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  const html = join(tmp, 'architecture.html');
  writeFileSync(html, r.stdout);
  browser = await chromium.launch(inject('chromium'));
  page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  page.on('request', (req) => requests.push(req.url()));
  page.on('requestfailed', (req) => failed.push(req.url()));
  await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
});

afterAll(async () => {
  await browser?.close();
});

interface GridCell {
  need: string;
  value: string;
  background: string;
}
interface GridRow {
  workload: string;
  ok: string;
  status: string;
  cells: GridCell[];
}

describe('arch --format html in Chromium', () => {
  it('makes no request beyond the page itself', () => {
    expect(requests).toEqual([pathToFileURL(join(tmp, 'architecture.html')).href]);
    expect(failed).toEqual([]);
  });

  it('has a grid row per workload with a cell per need, the failing workload flagged', async () => {
    const needs = await page.$$eval('#grid thead th.need', (ths) => ths.map((th) => th.getAttribute('data-need')));
    expect(needs.slice(0, 5)).toEqual(['invoke-model', 'converse', 'chat-completions', 'responses', 'messages']);
    const rows: GridRow[] = await page.$$eval('#grid tbody tr', (trs) =>
      trs.map((tr) => ({
        workload: tr.getAttribute('data-workload') ?? '',
        ok: tr.getAttribute('data-ok') ?? '',
        status: (tr.querySelector('td.status') as unknown as Rendered).innerText.trim(),
        cells: [...tr.querySelectorAll('td.cell')].map((td) => ({
          need: td.getAttribute('data-need') ?? '',
          value: td.getAttribute('data-value') ?? '',
          background: getComputedStyle(td).backgroundColor,
        })),
      })),
    );
    expect(rows.map((r) => [r.workload, r.ok, r.status])).toEqual([
      ['Support assistant', 'true', 'OK'],
      ['Research agent', 'true', 'OK'],
      ['Document summariser', 'true', 'OK'],
      ['Claims intake', 'false', 'FAILING'],
      ['Batch classification', 'true', 'OK'],
    ]);
    for (const r of rows) expect(r.cells.map((c) => c.need)).toEqual(needs);
    const claims = rows[3]!;
    const value = (need: string) => claims.cells.find((c) => c.need === need)!.value;
    expect([value('chat-completions'), value('guardrails'), value('request-metadata-tagging'), value('client-side-tools'), value('converse')]).toEqual(['yes', 'no', 'no', 'yes', '']);
    expect(rows[2]!.cells.find((c) => c.need === 'prompt-caching')!.value).toBe('conditional');

    // Colours: every cell has its legend's colour; the four values are four different colours.
    const legend: Record<string, string> = await page.$$eval('#legend [data-legend]', (els) =>
      Object.fromEntries(els.map((el) => [el.getAttribute('data-legend') ?? '', getComputedStyle(el).backgroundColor])),
    );
    expect(new Set([legend['yes'], legend['no'], legend['conditional'], legend['unknown']]).size).toBe(4);
    expect(legend['no']).toBe('rgb(255, 216, 211)');
    expect(legend['yes']).toBe('rgb(209, 244, 217)');
    for (const r of rows) for (const c of r.cells) expect(c.background, `${r.workload} × ${c.need}`).toBe(c.value === '' ? 'rgb(255, 255, 255)' : legend[c.value]);

    // The failing row is marked in red at its left edge, an ok row in green.
    const edge = await page.$$eval('#grid tbody tr th', (ths) => ths.map((th) => getComputedStyle(th).borderLeftColor));
    expect(edge[3]).toBe('rgb(179, 38, 30)');
    expect(edge[0]).toBe('rgb(26, 127, 55)');
  });

  it('shows the region and model chips, the reasons, the recommendation, a legend and the sources', async () => {
    const chips = await page.$$eval('#grid tbody tr[data-workload="Claims intake"] .regions .chip', (els) => els.map((el) => `${el.getAttribute('data-region')}=${el.getAttribute('data-value')}`));
    expect(chips).toEqual(['us-east-1=yes', 'ca-central-1=no']);
    const rec = await page.$eval('#grid tbody tr[data-workload="Claims intake"] .recommended', (el) => (el as unknown as Rendered).innerText.trim());
    expect(rec).toBe('→ bedrock-runtime');
    const reasons = await page.$$eval('section[data-workload="Claims intake"] .reasons li', (lis) => lis.map((li) => li.getAttribute('data-severity')));
    expect(reasons).toEqual(['error', 'error', 'error']);
    const summary = await page.$eval('#summary', (el) => [el.getAttribute('data-ok'), el.getAttribute('data-failing')]);
    expect(summary).toEqual(['4', '1']);
    expect(await page.$$eval('ol.sources li', (lis) => lis.length)).toBeGreaterThanOrEqual(3);
    expect(await page.$$eval('script, link[rel="stylesheet"], img, iframe', (els) => els.length)).toBe(0);
    // The whole grid fits a 1600-pixel-wide window: nothing is hidden behind a scroll bar.
    const [gridWidth, visible] = await page.$eval('#grid', (t) => [t.scrollWidth, (t.parentElement as unknown as { clientWidth: number }).clientWidth]);
    expect(gridWidth).toBeLessThanOrEqual(visible);
  });
});
