/**
 * `matrix --format html` in a real headless Chromium: one row per matrix row with both endpoint cells coloured by
 * value, no request beyond the page itself.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { builtInKnowledge } from '../src/index.js';

declare const getComputedStyle: (el: unknown) => { backgroundColor: string };
type Cellish = { className: string; innerText: string };

const root = join(import.meta.dirname, '..');
let browser: Browser;
const requests: string[] = [];
let rows: Array<{ id: string; cells: Array<{ cls: string; bg: string }> }> = [];
let url = '';

beforeAll(async () => {
  const r = spawnSync(process.execPath, [join(root, 'dist', 'cli.cjs'), 'matrix', '--format', 'html'], { cwd: root, encoding: 'utf8' });
  expect(r.status).toBe(0);
  const file = join(mkdtempSync(join(tmpdir(), 'bp-matrix-')), 'matrix.html');
  writeFileSync(file, r.stdout);
  url = pathToFileURL(file).href;
  browser = await chromium.launch(inject('chromium'));
  const page = await browser.newPage();
  page.on('request', (req) => requests.push(req.url()));
  await page.goto(url, { waitUntil: 'load' });
  rows = await page.$$eval('tr[id]', (trs) =>
    trs.map((tr) => ({
      id: (tr as unknown as { id: string }).id,
      cells: Array.from((tr as unknown as { querySelectorAll: (s: string) => Cellish[] }).querySelectorAll('td')).map((td) => ({ cls: td.className, bg: getComputedStyle(td).backgroundColor })),
    })),
  );
});

afterAll(async () => {
  await browser?.close();
});

describe('matrix --format html in a browser', () => {
  it('has a row for every matrix row, with both cells coloured by their value', () => {
    expect(rows).toHaveLength(builtInKnowledge.matrix.length);
    const colour = new Map<string, string>();
    for (const r of rows) {
      const m = builtInKnowledge.matrix.find((x) => (x.api ? `${x.id}-${x.api}` : x.id) === r.id)!;
      expect(m, r.id).toBeDefined();
      r.cells.forEach((c, i) => {
        const value = [m.support['bedrock-runtime'], m.support['bedrock-mantle']][i]!;
        expect(c.cls).toBe({ yes: 'yes', no: 'no', conditional: 'cond', unknown: 'unk' }[value]);
        if (colour.has(c.cls)) expect(c.bg).toBe(colour.get(c.cls));
        colour.set(c.cls, c.bg);
      });
    }
    expect(new Set(colour.values()).size).toBe(colour.size); // each value has its own colour
  });
  it('makes no request beyond the page itself', () => {
    expect(requests).toEqual([url]);
  });
});
