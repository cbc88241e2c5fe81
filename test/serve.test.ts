/**
 * serve: the HTTP decision service, in-process (createServer on port 0) and as the built CLI (`serve` with
 * signals). Answers are compared with what the CLI prints for the same documents.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type PreflightServer } from '../src/serve/index.js';
import { PreflightInputError } from '../src/index.js';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'dist', 'cli.cjs');
const examples = join(root, 'examples');
const tmp = mkdtempSync(join(tmpdir(), 'bp-serve-'));
const KEY = 'bedrock-api-key-c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA==';

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: () => any;
}

/** One request with node:http (full control of headers, body chunks and the socket). */
function request(
  base: string,
  path: string,
  opts: { method?: string; body?: string | Buffer; headers?: Record<string, string | number>; agent?: http.Agent } = {},
): Promise<Answer & { socket: unknown }> {
  return new Promise((resolve, reject) => {
    const u = new URL(path, base);
    const req = http.request(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'), headers: opts.headers, agent: opts.agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode!, headers: res.headers, text, json: () => JSON.parse(text), socket: req.socket });
        });
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const example = (name: string) => readFileSync(join(examples, name), 'utf8');

let s: PreflightServer;
let base: string;

beforeAll(async () => {
  if (!existsSync(bin)) throw new Error('dist/cli.cjs is missing: run "npm run build" (npm test does it)');
  s = createServer({ port: 0, maxBodyBytes: 64 * 1024 });
  base = await s.listen();
});
afterAll(async () => {
  await s.close();
});

describe('serve: routes', () => {
  it('GET /healthz → {"status":"ok"}; HEAD too', async () => {
    const r = await request(base, '/healthz');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(r.json()).toEqual({ status: 'ok' });
    const h = await request(base, '/healthz', { method: 'HEAD' });
    expect(h.status).toBe(200);
    expect(h.text).toBe('');
  });

  it.each(['mantle-messages-structured-output.json', 'runtime-converse-guardrails.json', 'mantle-chat-cross-region.json', 'runtime-invoke-claude.json'])(
    'POST /v1/check answers exactly what check --format json prints (%s), 200 valid or not',
    async (name) => {
      const r = await request(base, '/v1/check', { body: example(name), headers: { 'content-type': 'application/json' } });
      expect(r.status).toBe(200);
      expect(r.json()).toEqual(JSON.parse(cli(['check', join(examples, name), '--format', 'json']).stdout)); // the same document (compact on the wire)
    },
  );

  it('POST /v1/check takes YAML (by content type or by content)', async () => {
    const yaml = example('mantle-responses-background.yaml');
    const expected = cli(['check', join(examples, 'mantle-responses-background.yaml'), '--format', 'json', '--endpoint', 'runtime']).stdout;
    const a = await request(base, '/v1/check?endpoint=runtime', { body: yaml, headers: { 'content-type': 'application/yaml' } });
    const b = await request(base, '/v1/check?endpoint=runtime', { body: yaml });
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.json()).toEqual(JSON.parse(expected));
    expect(b.json()).toEqual(JSON.parse(expected));
  });

  it('a bare body takes endpoint, api, model and region from the query, as check takes them from flags', async () => {
    const body = JSON.stringify(JSON.parse(example('mantle-messages-structured-output.json')).body);
    const file = join(tmp, 'bare.json');
    writeFileSync(file, body);
    const flags = ['--endpoint', 'mantle', '--api', 'messages', '--model', 'anthropic.claude-haiku-4-5', '--region', 'eu-west-1'];
    const r = await request(base, '/v1/check?endpoint=mantle&api=messages&model=anthropic.claude-haiku-4-5&region=eu-west-1', { body });
    expect(r.status).toBe(200);
    expect(r.json()).toEqual(JSON.parse(cli(['check', file, '--format', 'json', ...flags]).stdout)); // the same document (compact on the wire)
    expect(r.json()).toMatchObject({ endpoint: 'bedrock-mantle', api: 'messages', region: 'eu-west-1', valid: false });
  });

  it('POST /v1/recommend answers what recommend --format json prints, for needs or a request', async () => {
    const needs = await request(base, '/v1/recommend', { body: JSON.stringify({ needs: ['responses', 'guardrails'] }) });
    expect(needs.status).toBe(200);
    expect(needs.json()).toEqual(JSON.parse(cli(['recommend', '--needs', 'responses,guardrails', '--format', 'json']).stdout)); // the same document (compact on the wire)
    expect(needs.json()).toMatchObject({ endpoint: null, split: expect.any(Object) });
    const req = JSON.parse(example('mantle-messages-structured-output.json'));
    const byRequest = await request(base, '/v1/recommend', { body: JSON.stringify({ request: req }) });
    expect(byRequest.status).toBe(200);
    expect(byRequest.json()).toEqual(JSON.parse(cli(['recommend', join(examples, 'mantle-messages-structured-output.json'), '--format', 'json']).stdout)); // the same document (compact on the wire)
  });

  it('unknown path → 404, wrong method → 405 with Allow', async () => {
    const nf = await request(base, '/v2/check', { body: '{}' });
    expect(nf.status).toBe(404);
    expect(nf.json()).toEqual({ error: { code: 'E_NOT_FOUND', message: expect.any(String) } });
    const get = await request(base, '/v1/check');
    expect(get.status).toBe(405);
    expect(get.headers['allow']).toBe('POST');
    expect(get.json().error.code).toBe('E_METHOD_NOT_ALLOWED');
    const post = await request(base, '/healthz', { body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers['allow']).toBe('GET, HEAD');
  });
});

describe('serve: errors', () => {
  it('malformed JSON → 400 E_INPUT_PARSE with line and column', async () => {
    const r = await request(base, '/v1/check', { body: '{\n  "url": "https://bedrock-mantle.us-east-1.api.aws/v1/responses",\n  "body": { "model": }\n}', headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(400);
    expect(r.json()).toEqual({ error: { code: 'E_INPUT_PARSE', message: expect.any(String), line: 3, column: expect.any(Number) } });
    const recommend = await request(base, '/v1/recommend', { body: '{"needs": [', headers: { 'content-type': 'application/json' } });
    expect(recommend.status).toBe(400);
    expect(recommend.json().error.code).toBe('E_INPUT_PARSE');
  });

  it('not a document the tools take → 400: invalid UTF-8, a top-level array, duplicate keys, an empty body', async () => {
    const bad = [Buffer.from([0x7b, 0xff, 0x7d]), '[1, 2]', '{"url": "a", "url": "b"}', ''];
    for (const body of bad) {
      const r = await request(base, '/v1/check', { body });
      expect(r.status).toBe(400);
      expect(r.json().error.code).toMatch(/^E_INPUT_(PARSE|SHAPE)$/);
    }
  });

  it('a well-formed document the check cannot place → 422 with the check error code', async () => {
    const unknownHost = await request(base, '/v1/check', { body: JSON.stringify({ url: 'https://example.com/v1/chat/completions', body: { model: 'x' } }) });
    expect(unknownHost.status).toBe(422);
    expect(unknownHost.json().error.code).toBe('E_UNKNOWN_ENDPOINT');
    const bare = await request(base, '/v1/check', { body: JSON.stringify({ model: 'x', messages: [] }) });
    expect(bare.status).toBe(422);
    expect(bare.json().error.code).toBe('E_UNKNOWN_ENDPOINT');
    const badId = await request(base, '/v1/check?endpoint=nowhere', { body: JSON.stringify({ model: 'x' }) });
    expect(badId.status).toBe(422);
    expect(badId.json().error.code).toBe('E_UNKNOWN_ID');
    const need = await request(base, '/v1/recommend', { body: JSON.stringify({ needs: ['teleportation'] }) });
    expect(need.status).toBe(422);
    expect(need.json().error.code).toBe('E_UNKNOWN_ID');
    const shape = await request(base, '/v1/recommend', { body: JSON.stringify({ needs: 'responses' }) });
    expect(shape.status).toBe(400);
    expect(shape.json().error.code).toBe('E_INPUT_SHAPE');
  });

  it('a body over the limit → 413, by Content-Length or while streaming, and the connection is closed', async () => {
    const big = JSON.stringify({ model: 'x', pad: 'a'.repeat(70 * 1024) });
    const declared = await request(base, '/v1/check?endpoint=mantle', { body: big });
    expect(declared.status).toBe(413);
    expect(declared.headers['connection']).toBe('close');
    expect(declared.json()).toEqual({ error: { code: 'E_INPUT_LIMIT', message: expect.stringContaining('64 KiB') } });
    const streamed = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const u = new URL('/v1/check?endpoint=mantle', base);
      const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      let sent = 0;
      const chunk = Buffer.alloc(16 * 1024, 0x61);
      const pump = () => {
        while (sent < 1024 * 1024 && !req.destroyed) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    }).catch((e: Error) => ({ status: -1, body: e.message }));
    expect(streamed.status).toBe(413);
  });

  it('credentials in a request never appear in a response', async () => {
    const envelope = { url: 'https://bedrock-mantle.us-east-1.api.aws/v1/chat/completions', headers: { authorization: `Bearer ${KEY}` }, body: { model: 'global.openai.gpt-oss-120b', messages: [] } };
    const ok = await request(base, '/v1/check', { body: JSON.stringify(envelope) });
    expect(ok.status).toBe(200);
    expect(ok.json().capabilities.map((c: { id: string }) => c.id)).toContain('api-key-auth');
    const broken = await request(base, '/v1/check', { body: `{"headers": {"authorization": "Bearer ${KEY}" ${KEY}}}` });
    expect(broken.status).toBe(400);
    const badModel = await request(base, `/v1/check?endpoint=mantle&model=${KEY}`, { body: '{"model": "x"}' });
    for (const r of [ok, broken, badModel]) expect(r.text).not.toContain('c2VjcmV0');
  });

  it('invalid options throw a PreflightInputError', () => {
    expect(() => createServer({ port: 70000 })).toThrow(PreflightInputError);
    expect(() => createServer({ maxBodyBytes: 0 })).toThrow(/maxBodyBytes/);
  });
});

describe('serve: load and lifecycle', () => {
  it('100 concurrent /v1/check requests give the same answers as sequential ones', async () => {
    const docs = ['mantle-messages-structured-output.json', 'runtime-converse-guardrails.json', 'mantle-chat-cross-region.json', 'runtime-invoke-claude.json'].map(example);
    const bodies = Array.from({ length: 100 }, (_, i) => {
      const d = JSON.parse(docs[i % docs.length]!);
      d.body.temperature = (i % 10) / 10;
      if (i % 3 === 0) d.body.tools = [{ name: `t${i}`, input_schema: { type: 'object' }, strict: i % 2 === 0 }];
      return JSON.stringify(d);
    });
    const sequential: string[] = [];
    for (const b of bodies) sequential.push((await request(base, '/v1/check', { body: b })).text);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 100 });
    const concurrent = await Promise.all(bodies.map((b) => request(base, '/v1/check', { body: b, agent })));
    agent.destroy();
    expect(concurrent.map((r) => r.status)).toEqual(bodies.map(() => 200));
    expect(concurrent.map((r) => r.text)).toEqual(sequential);
    expect(new Set(sequential).size).toBeGreaterThan(4);
  });

  it('keeps connections alive between requests', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const a = await request(base, '/healthz', { agent });
    const b = await request(base, '/v1/check', { body: example('runtime-invoke-claude.json'), agent });
    agent.destroy();
    expect(a.headers['connection']).toBe('keep-alive');
    expect(b.status).toBe(200);
    expect(b.socket).toBe(a.socket);
  });

  it('a request that does not arrive in time gets 408 (requestTimeout)', async () => {
    const slow = createServer({ port: 0, requestTimeout: 300, headersTimeout: 300 });
    const url = new URL(await slow.listen());
    try {
      const r = await new Promise<number>((resolve, reject) => {
        const req = http.request({ host: url.hostname, port: url.port, path: '/v1/check', method: 'POST', headers: { 'content-length': 100 } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        req.write('{"model":');
      });
      expect(r).toBe(408);
    } finally {
      await slow.close();
    }
  });

  it('close(): stops accepting, lets the in-flight request finish, then resolves', async () => {
    const g = createServer({ port: 0 });
    const url = new URL(await g.listen());
    const body = example('runtime-invoke-claude.json');
    const inFlight = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, path: '/v1/check', method: 'POST', headers: { 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      });
      req.on('error', reject);
      req.write(body.slice(0, 40));
      setTimeout(() => req.end(body.slice(40)), 200);
    });
    await new Promise((r) => setTimeout(r, 50));
    let closed = false;
    const closing = g.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 20));
    await expect(request(url.href, '/healthz')).rejects.toThrow(/ECONNREFUSED/);
    expect(closed).toBe(false);
    const r = await inFlight;
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toMatchObject({ api: 'invoke-model', valid: true });
    await closing;
    expect(closed).toBe(true);
  });
});

describe('serve: the command', () => {
  function start(args: string[]): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--format', 'json', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr!.on('data', (c) => (err += c));
    return new Promise((resolve, reject) => {
      child.stdout!.on('data', (c) => {
        out += c;
        try {
          const doc = JSON.parse(out) as { url: string };
          resolve({ child, url: doc.url, stderr: () => err });
        } catch {
          // not complete yet
        }
      });
      child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
    });
  }
  const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  it('prints one line on start, serves, and on SIGTERM finishes the in-flight request and exits 0', async () => {
    const { child, url, stderr } = await start(['--max-body', '2048']);
    expect(stderr()).toBe(`listening on ${url}\n`);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await request(url, '/healthz')).json()).toEqual({ status: 'ok' });
    expect((await request(url, '/v1/check?endpoint=mantle', { body: JSON.stringify({ model: 'x', pad: 'a'.repeat(3000) }) })).status).toBe(413);
    const body = example('mantle-chat-cross-region.json');
    const u = new URL(url);
    const done = exited(child);
    const inFlight = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request({ host: u.hostname, port: u.port, path: '/v1/check', method: 'POST', headers: { 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      });
      req.on('error', reject);
      req.write(body.slice(0, 30));
      setTimeout(() => {
        child.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(30)), 150);
      }, 100);
    });
    const r = await inFlight;
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toMatchObject({ endpoint: 'bedrock-mantle', valid: false });
    expect(await done).toBe(0);
    expect(stderr()).not.toContain(KEY.slice(16));
  });

  it('SIGINT stops it too (exit 0)', async () => {
    const { child } = await start([]);
    const done = exited(child);
    child.kill('SIGINT');
    expect(await done).toBe(0);
  });

  it('bad flags and a port in use exit 2 with one line', async () => {
    for (const args of [['--port', '70000'], ['--port', 'x'], ['--max-body', '0'], ['extra']]) {
      const r = cli(['serve', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    const port = (s.server.address() as AddressInfo).port;
    const inUse = cli(['serve', '--port', String(port)]);
    expect(inUse.code).toBe(2);
    expect(inUse.stderr).toBe(`bedrock-preflight: cannot listen on 127.0.0.1:${port}: the address is in use\n`);
  });
});
