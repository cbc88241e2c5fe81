/**
 * serve's answers: compact JSON (one line) unless the client asks for indented JSON with `?pretty`; either way
 * the same document as `check --format json` prints.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPreflight } from '../src/index.js';
import { createServer, type PreflightServer } from '../src/serve/index.js';

const example = readFileSync(join(import.meta.dirname, '..', 'examples', 'mantle-messages-structured-output.json'), 'utf8');
let s: PreflightServer;
let base: string;

beforeAll(async () => {
  s = createServer({ port: 0 });
  base = await s.listen();
});
afterAll(() => s.close());

const post = (query: string) => fetch(`${base}/v1/check${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: example });

describe('serve: answer formatting', () => {
  it('answers compact JSON by default, the same document check gives', async () => {
    const text = await (await post('')).text();
    const expected = createPreflight().check(JSON.parse(example));
    expect(text).toBe(`${JSON.stringify(expected)}\n`);
  });

  it.each(['?pretty', '?pretty=1', '?pretty=true'])('indents with %s', async (q) => {
    const text = await (await post(q)).text();
    expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
    expect(text.split('\n').length).toBeGreaterThan(3);
  });

  it('stays compact for ?pretty=0 and other values, and for errors too unless asked', async () => {
    expect((await (await post('?pretty=0')).text()).trimEnd()).not.toContain('\n');
    const notFound = await (await fetch(`${base}/nowhere`)).text();
    expect(notFound.trimEnd()).not.toContain('\n');
    const prettyNotFound = await (await fetch(`${base}/nowhere?pretty`)).text();
    expect(prettyNotFound.trimEnd()).toContain('\n');
  });
});
