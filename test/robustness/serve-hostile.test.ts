/**
 * serve under hostile requests (issue 13, items 1, 3, 11, 13): bearer-token authentication, the YAML bound that
 * keeps /healthz answering, the query-parameter wording, and no echoed secret or control character.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createServer, DEFAULT_MAX_YAML_BODY, isLoopbackHost } from '../../src/serve/index.js';
import { serveDuringTests } from '../setup/serve.js';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'dist', 'cli.cjs');
const TOKEN = 'test-token-0123456789abcdef';

async function post(base: string, path: string, body: string, headers: Record<string, string> = {}) {
  const r = await fetch(new URL(path, base), { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  return { status: r.status, headers: r.headers, text: await r.text() };
}

const bare = JSON.stringify({ model: 'openai.gpt-oss-120b', input: 'hi', max_output_tokens: 10 });

describe('serve with a token', () => {
  const server = serveDuringTests({ token: TOKEN });

  it('refuses POST without the right bearer token (401, WWW-Authenticate), accepts it with', async () => {
    for (const auth of [undefined, 'Bearer wrong-token-0123456789', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`]) {
      const r = await post(server.base, '/v1/check?endpoint=mantle', bare, auth === undefined ? {} : { authorization: auth });
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toBe('Bearer');
      expect(r.text).not.toContain(TOKEN);
    }
    const ok = await post(server.base, '/v1/check?endpoint=mantle', bare, { authorization: `Bearer ${TOKEN}` });
    expect(ok.status).toBe(200);
  });

  it('keeps /healthz open', async () => {
    expect((await fetch(new URL('/healthz', server.base))).status).toBe(200);
  });

  it('refuses a token shorter than 16 characters', () => {
    expect(() => createServer({ token: 'short' })).toThrow(/token/);
  });
});

describe('serve bounds and wording', () => {
  const server = serveDuringTests();

  it('a YAML body over the YAML bound gets 413 before it is parsed', async () => {
    const yaml = `model: x\ninput: "${'a'.repeat(DEFAULT_MAX_YAML_BODY)}"\n`;
    const r = await post(server.base, '/v1/check?endpoint=mantle', yaml, { 'content-type': 'application/yaml' });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.text).error.message).toMatch(/YAML limit of 64 KiB/);
  });

  it('deep flow YAML under the bound gets 400 with its position', async () => {
    const n = 30_000;
    const r = await post(server.base, '/v1/check?endpoint=mantle', `body: ${'['.repeat(n)}${']'.repeat(n)}\n`, { 'content-type': 'application/yaml' });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).error).toMatchObject({ code: 'E_INPUT_LIMIT', line: 1 });
  });

  it('/healthz answers while eight of the largest deep YAML bodies are in flight', async () => {
    const n = Math.floor((DEFAULT_MAX_YAML_BODY - 16) / 2);
    const deep = `body: ${'['.repeat(n)}${']'.repeat(n)}\n`;
    const flat = `input:\n${Array.from({ length: Math.floor(DEFAULT_MAX_YAML_BODY / 12) - 2 }, (_, i) => `  - x${i}\n`).join('')}`.slice(0, DEFAULT_MAX_YAML_BODY - 1);
    const inFlight = Array.from({ length: 8 }, (_, i) => post(server.base, '/v1/check?endpoint=mantle', i % 2 ? deep : flat, { 'content-type': 'application/yaml' }));
    const started = performance.now();
    const health = await fetch(new URL('/healthz', server.base));
    const waited = performance.now() - started;
    await Promise.all(inFlight);
    expect(health.status).toBe(200);
    // The issue measured 14.9 s with unbounded bodies; the bound keeps each body's work to a fraction of a second.
    expect(waited).toBeLessThan(8000);
  });

  it('says ?endpoint= rather than a command-line flag', async () => {
    const r = await post(server.base, '/v1/check', bare);
    expect(r.status).toBe(422);
    const message = JSON.parse(r.text).error.message as string;
    expect(message).toMatch(/\?endpoint=runtime or \?endpoint=mantle/);
    expect(message).not.toMatch(/--endpoint/);
  });
});

describe('isLoopbackHost', () => {
  it.each([['127.0.0.1', true], ['127.1.2.3', true], ['::1', true], ['localhost', true], ['0.0.0.0', false], ['::', false], ['10.0.0.1', false], ['example.com', false]])('%s → %s', (h, want) => {
    expect(isLoopbackHost(h)).toBe(want);
  });
});

describe('serve on the command line', () => {
  function startCli(args: string[], env: Record<string, string> = {}): Promise<{ stderr: string; stop: () => Promise<number | null> }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [bin, 'serve', '--port', '0', ...args], { env: { ...process.env, NO_COLOR: '1', ...env } });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
        if (stderr.includes('listening on')) {
          resolve({ stderr, stop: () => new Promise((r) => (child.once('exit', (code) => r(code)), child.kill('SIGTERM'))) });
        }
      });
      child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
    });
  }

  it('warns when listening beyond loopback without a token, not with one', async () => {
    const open = await startCli(['--host', '0.0.0.0']);
    await open.stop();
    expect(open.stderr).toMatch(/warning: listening on 0\.0\.0\.0, beyond this machine, without authentication/);
    const dir = mkdtempSync(join(tmpdir(), 'bp-token-'));
    writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
    const guarded = await startCli(['--host', '0.0.0.0', '--token-file', join(dir, 'token')]);
    await guarded.stop();
    expect(guarded.stderr).not.toMatch(/warning/);
    expect(guarded.stderr).not.toContain(TOKEN);
    const fromEnv = await startCli(['--host', '0.0.0.0'], { BEDROCK_PREFLIGHT_TOKEN: TOKEN });
    await fromEnv.stop();
    expect(fromEnv.stderr).not.toMatch(/warning/);
  });
});
