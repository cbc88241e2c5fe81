/**
 * The output sanitiser (issue 13, items 3 and 6): secret-shaped and control-character strings are fed into every
 * place the tool echoes (model in the body, the URL path and --model; the URL host and path; duplicate keys;
 * parse-error snippets; flag values; explain ids; file names; serve's query parameters), and no output of any
 * format, no stderr and no --debug trace contains a credential, a piece of one, or a raw control character.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeControl, redact, remembered, sanitize, sanitizeStrings } from '../../src/redact.js';
import { builtInKnowledge } from '../../src/preflight.js';
import { serveDuringTests } from '../setup/serve.js';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'dist', 'cli.cjs');

const chars = (alphabet: string, n: number) => fc.array(fc.constantFrom(...alphabet), { minLength: n, maxLength: n }).map((a) => a.join(''));
const UP = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOW = 'abcdefghijklmnopqrstuvwxyz';
const DIG = '0123456789';
const B64 = UP + LOW + DIG + '+/';
const URLSAFE = UP + LOW + DIG + '_-';
/** Random base64 with at least one digit, capital and small letter, as real keys and tokens have. */
const b64 = (n: number) => fc.tuple(chars(UP, 1), chars(DIG, 1), chars(LOW, 1), chars(B64, n - 3)).map((p) => p.join(''));

/** A credential as it would be pasted, and its random part: no 12 characters of that may be printed. */
export const secretArb = fc.oneof(
  chars(UP + DIG, 16).map((k) => ({ text: `AKIA${k}`, core: k })),
  chars(UP + DIG, 16).map((k) => ({ text: `ASIA${k}`, core: k })),
  b64(40).map((k) => ({ text: k, core: k })), // a secret access key
  b64(300).map((k) => ({ text: `IQoJb3JpZ2luX2VjE${k}`, core: k })), // a session token
  chars('0123456789abcdef', 64).map((k) => ({ text: k, core: k })), // a SigV4 signature
  b64(80).map((k) => ({ text: `ABSK${k}`, core: k })),
  b64(120).map((k) => ({ text: `bedrock-api-key-${k}`, core: k })),
  chars(URLSAFE, 95).map((k) => ({ text: `sk-ant-api03-${k}`, core: k })),
  chars(URLSAFE, 120).map((k) => ({ text: `sk-proj-${k}`, core: k })),
  chars(URLSAFE, 48).map((k) => ({ text: `sk-${k}`, core: k })),
  fc.tuple(chars(URLSAFE, 30), chars(URLSAFE, 40), chars(URLSAFE, 43)).map(([h, p, s]) => ({ text: `eyJ${h}.eyJ${p}.${s}`, core: `${h}.eyJ${p}.${s}` })),
  b64(64).map((k) => ({ text: `Bearer ${k}`, core: k })),
);

/** Control sequences that could recolour a terminal, retitle it, or forge a line of output. */
const CONTROLS = ['\u001b[2J\u001b[31m', '\u001b]0;pwned\u0007', '\nFAKE: \u2714 valid\n', '\r\u001b[K', '\u202e', '\u0000\u007f\u009b'];
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** Pieces of `core` long enough to matter: every 12-character window. */
function fragments(core: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 12 <= core.length; i += 6) out.push(core.slice(i, i + 12));
  return out;
}

function expectClean(output: string, secrets: ReadonlyArray<{ core: string }>, what: string): void {
  for (const s of secrets) for (const f of fragments(s.core)) expect(output, `${what}: leaks ${f}`).not.toContain(f);
  expect(output, `${what}: a raw control character`).not.toMatch(RAW_CONTROL);
  expect(output, `${what}: a forged line`).not.toMatch(/^\s*FAKE/m);
}

describe('redact and escapeControl', () => {
  const sep = fc.constantFrom(' ', '/', ':', '"', "'", '=', ',', '(', ')', '?', '&', '.', '\n', '-', '@', '<', '>');
  it('replace every credential whole, whatever surrounds it', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), sep, secretArb, sep, fc.string({ maxLength: 20 }), (before, s1, secret, s2, after) => {
        const out = redact(`${before}${s1}${secret.text}${s2}${after}`);
        for (const f of fragments(secret.core)) expect(out).not.toContain(f);
      }),
      { numRuns: 3000 },
    );
  });

  it('replace an access key id lower-cased (as a URL host shows it)', () => {
    fc.assert(
      fc.property(fc.constantFrom('AKIA', 'ASIA', 'AROA'), chars(UP + DIG, 16), (prefix, k) => {
        const out = redact(`the URL host "bedrock-runtime.${`${prefix}${k}`.toLowerCase()}.amazonaws.com" is unknown`);
        for (const f of fragments(k.toLowerCase())) expect(out).not.toContain(f);
      }),
    );
  });

  it('cut a text over 64 KiB back to a token start before redacting it (millions of characters used to overflow the stack)', () => {
    const key = `AKIAIOSFODNN7EXAMPLE`;
    const long = `${'word '.repeat(13_100)}${key}${'x'.repeat(8_000_000)}`;
    const out = redact(long);
    expect(out.length).toBeLessThan(70_000);
    expect(out).not.toContain('AKIAIOSF');
    expect(out).toMatch(/… \[\d+ more characters not shown\]$/);
    expect(redact('x'.repeat(8_000_000))).toBe('… [8000000 more characters not shown]');
    expect(redact(`model ${'y'.repeat(1000)}`)).toBe(`model ${'y'.repeat(1000)}`);
  });

  it('sanitizeStrings keeps every key, "__proto__" and "constructor" too', () => {
    const report = JSON.parse('{"models":{"__proto__":3,"constructor":2,"anthropic.claude-haiku-4-5":1}}') as unknown;
    const out = sanitizeStrings(report);
    expect(JSON.stringify(out)).toBe(JSON.stringify(report));
    expect(Object.keys((out as { models: object }).models)).toEqual(['__proto__', 'constructor', 'anthropic.claude-haiku-4-5']);
  });

  it('replace a long sk- key without a digit (the case a random property run found)', () => {
    const key = `sk-${'AbCdEfGhIjKlMnOpQrStUvWxYz'.repeat(2)}`;
    expect(redact(`key -${key}.`)).toBe('key -[redacted].');
    expect(redact('task-list-of-many-words-that-goes-on-and-on-and-on')).toBe('task-list-of-many-words-that-goes-on-and-on-and-on');
  });

  it('change no text of the built-in knowledge (sources, messages, fixes, ids): no false redaction', () => {
    const changed: string[] = [];
    const walk = (v: unknown, at: string): void => {
      if (typeof v === 'string') {
        if (redact(v) !== v) changed.push(`${at}: ${v}`);
      } else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${at}/${k}`);
    };
    walk(builtInKnowledge, '');
    expect(changed).toEqual([]);
  });

  it('remembered(redact) answers as redact does, past its bound too', () => {
    const clean = remembered(redact, 8);
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 30 }), secretArb.map((x) => `k=${x.text}`)), (text) => {
        expect(clean(text)).toBe(redact(text));
        expect(clean(text)).toBe(redact(text));
      }),
      { numRuns: 300 },
    );
  });

  it('leave paths of words and numbers alone (JSON Pointers, S3 delivery keys), however long', () => {
    const letters = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'), minLength: 1, maxLength: 12 });
    const digits = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 12 });
    const paths = fc.array(fc.oneof(letters, digits), { minLength: 4, maxLength: 12 }).map((parts) => `/${parts.join('/')}`);
    fc.assert(
      fc.property(paths, (path) => {
        expect(redact(path)).toBe(path);
      }),
      { numRuns: 500 },
    );
    expect(redact('at /body/toolConfig/tools/0/toolSpec/inputSchema/json')).toBe('at /body/toolConfig/tools/0/toolSpec/inputSchema/json');
    expect(redact('AWSLogs/111122223333/BedrockModelInvocationLogs/us-west-2/2026')).toBe('AWSLogs/111122223333/BedrockModelInvocationLogs/us-west-2/2026');
    // A key whose parts mix letters and digits is still a key.
    expect(redact('key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')).toBe('key [redacted]');
  });

  it('leave text without credentials alone, and make every control character visible', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (text) => {
        expect(escapeControl(text)).not.toMatch(RAW_CONTROL);
        expect(escapeControl(text).includes('\n')).toBe(false);
        if (!RAW_CONTROL.test(text) && !text.includes('\n') && !text.includes('\t')) expect(escapeControl(text)).toBe(text);
      }),
      { numRuns: 1000 },
    );
    expect(sanitize('a\nb\u001b[31mc\u202e')).toBe('a\\nb\\x1b[31mc\\u202e');
  });
});

/** Hostile values: a control sequence and two credentials, different for every place. */
const samples = fc.sample(fc.tuple(secretArb, secretArb), { numRuns: 40, seed: 1313 });
let n = 0;
function hostile(): { value: string; secrets: Array<{ core: string }> } {
  const [a, b] = samples[n % samples.length]!;
  const control = CONTROLS[n % CONTROLS.length]!;
  n++;
  return { value: `m${control}${a.text} ${b.text}`, secrets: [a, b] };
}

const dir = mkdtempSync(join(tmpdir(), 'bp-sanitiser-'));
function cli(args: string[], input?: string) {
  // A command line cannot carry NUL; every other character goes through as given.
  const r = spawnSync(process.execPath, [bin, ...args.map((a) => a.replace(/\0/g, ''))], { cwd: dir, encoding: 'utf8', input, timeout: 20_000, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '' } });
  return `${r.stdout}\n${r.stderr}`;
}
const write = (name: string, text: string): string => (writeFileSync(join(dir, name), text), name);

const chat = (model: string) => ({ model, messages: [{ role: 'user', content: 'hi' }] });
const HUMAN_AND_JSON = [['--format', 'text'], ['--format', 'json'], ['--debug']];
const LINT_FORMATS = ['stylish', 'json', 'github', 'junit', 'sarif'].map((f) => ['--format', f]);

describe('CLI: nothing secret or raw is echoed, in any format', () => {
  it.each(['body', 'url', 'flag', 'region', 'api'] as const)('a model id in the body, the URL path or --model; --region; --api (%s)', (place) => {
    {
      const h = hostile();
      const file =
        place === 'url'
          ? write(`u-${place}.json`, JSON.stringify({ url: `https://bedrock-runtime.us-east-1.amazonaws.com/model/${encodeURIComponent(h.value)}/converse`, body: { messages: [] } }))
          : write(`b-${place}.json`, JSON.stringify(chat(place === 'body' ? h.value : 'openai.gpt-oss-120b')));
      const flags = place === 'flag' ? ['--model', h.value] : place === 'region' ? ['--region', h.value] : place === 'api' ? ['--api', h.value] : [];
      for (const f of HUMAN_AND_JSON) {
        expectClean(cli(['check', file, '--endpoint', 'mantle', ...flags, ...f]), h.secrets, `check ${place} ${f.join(' ')}`);
        expectClean(cli(['recommend', file, '--endpoint', 'mantle', ...flags, ...f]), h.secrets, `recommend ${place} ${f.join(' ')}`);
      }
      for (const f of LINT_FORMATS) expectClean(cli(['lint', file, '--endpoint', 'mantle', ...flags, ...f]), h.secrets, `lint ${place} ${f.join(' ')}`);
    }
  });

  it('the URL host, an unrecognised URL path, --endpoint and --needs', () => {
    const host = hostile();
    const hostFile = write('host.json', JSON.stringify({ url: `https://${encodeURIComponent(host.value)}.example.com/v1/chat/completions`, body: chat('x') }));
    const path = hostile();
    const pathFile = write('path.json', JSON.stringify({ url: `https://bedrock-mantle.us-east-1.api.aws/v9/${encodeURIComponent(path.value)}`, body: chat('x') }));
    const endpoint = hostile();
    const needs = hostile();
    for (const f of HUMAN_AND_JSON) {
      expectClean(cli(['check', hostFile, ...f]), host.secrets, `host ${f.join(' ')}`);
      expectClean(cli(['check', pathFile, ...f]), path.secrets, `path ${f.join(' ')}`);
      expectClean(cli(['check', pathFile, '--endpoint', endpoint.value, ...f]), endpoint.secrets, `--endpoint ${f.join(' ')}`);
      expectClean(cli(['recommend', '--needs', `responses,${needs.value}`, ...f]), needs.secrets, `--needs ${f.join(' ')}`);
    }
    for (const f of LINT_FORMATS) expectClean(cli(['lint', hostFile, pathFile, ...f]), [...host.secrets, ...path.secrets], `lint host/path ${f.join(' ')}`);
  });

  it('an access key in the URL host (shown lower-cased), and a model id of millions of characters (no crash, no internal error)', () => {
    const key = 'AKIAIOSFODNN7EXAMPLE';
    const hostFile = write('host-key.json', JSON.stringify({ url: `https://bedrock-runtime.${key}.amazonaws.com/model/m/converse`, body: { messages: [] } }));
    const longFile = write('long-model.json', JSON.stringify({ model: 'x'.repeat(8_000_000), messages: [] }));
    for (const f of HUMAN_AND_JSON) {
      const out = cli(['check', hostFile, ...f]);
      expect(out).toMatch(/host/);
      expect(out.toLowerCase()).not.toContain('iosfodnn7');
      const l = spawnSync(process.execPath, [bin, 'check', longFile, '--endpoint', 'runtime', ...f], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
      expect(l.status, l.stderr).toBe(0);
      expect(`${l.stdout}${l.stderr}`).not.toMatch(/internal error|E_INTERNAL|Maximum call stack/);
      expect(l.stdout).toContain('more characters not shown');
    }
  });

  it('duplicate keys, parse-error snippets, explain ids, unknown flags and file names', () => {
    const key = hostile();
    const dupJson = write('dup.json', `{"model":"x","input":"a",${JSON.stringify(key.value)}:1,${JSON.stringify(key.value)}:2}`);
    const dupYaml = write('dup.yaml', `model: x\n${JSON.stringify(key.value)}: 1\n${JSON.stringify(key.value)}: 2\n`);
    const snippet = hostile();
    const bad = write('bad.json', `{"model": x${snippet.value.replace(/[\n\r"]/g, ' ')}}`);
    const id = hostile();
    const flag = hostile();
    const name = hostile();
    const fileName = `${name.value.replace(/[/\0]/g, '_').slice(0, 200)}.json`;
    for (const f of HUMAN_AND_JSON) {
      expectClean(cli(['check', dupJson, '--endpoint', 'mantle', ...f]), key.secrets, `dup json ${f.join(' ')}`);
      expectClean(cli(['check', dupYaml, '--endpoint', 'mantle', ...f]), key.secrets, `dup yaml ${f.join(' ')}`);
      expectClean(cli(['check', bad, '--endpoint', 'mantle', ...f]), snippet.secrets, `snippet ${f.join(' ')}`);
      expectClean(cli(['explain', id.value, ...f]), id.secrets, `explain ${f.join(' ')}`);
      expectClean(cli(['check', dupJson, `--${flag.value}`, ...f]), flag.secrets, `flag ${f.join(' ')}`);
      expectClean(cli(['check', fileName, ...f]), name.secrets, `missing file name ${f.join(' ')}`);
    }
    write(fileName, JSON.stringify(chat('openai.gpt-oss-120b')));
    for (const f of [...HUMAN_AND_JSON, ...LINT_FORMATS]) {
      const cmd = LINT_FORMATS.includes(f) ? 'lint' : 'check';
      expectClean(cli([cmd, fileName, '--endpoint', 'mantle', ...f]), name.secrets, `${cmd} file name ${f.join(' ')}`);
    }
    for (const f of LINT_FORMATS) expectClean(cli(['lint', dupJson, bad, ...f]), [...key.secrets, ...snippet.secrets], `lint errors ${f.join(' ')}`);
  });
});

describe('serve: nothing secret is answered', () => {
  const server = serveDuringTests();

  it('query parameters, bodies, hosts and keys', async () => {
    for (const param of ['endpoint', 'api', 'model', 'region']) {
      const h = hostile();
      const r = await fetch(`${server.base}/v1/check?endpoint=mantle&${param}=${encodeURIComponent(h.value)}`, { method: 'POST', body: JSON.stringify(chat('x')) });
      expectClean(await r.text(), h.secrets, `?${param}=`);
    }
    const body = hostile();
    for (const doc of [chat(body.value), { url: `https://${encodeURIComponent(body.value)}/v1/responses`, body: {} }, { needs: [body.value] }]) {
      for (const path of ['/v1/check?endpoint=mantle', '/v1/recommend']) {
        const r = await fetch(server.base + path, { method: 'POST', body: JSON.stringify(doc) });
        expectClean(await r.text(), body.secrets, `${path} ${JSON.stringify(doc).slice(0, 30)}`);
      }
    }
    const dup = hostile();
    const r = await fetch(`${server.base}/v1/check?endpoint=mantle`, { method: 'POST', body: `{"model":"x",${JSON.stringify(dup.value)}:1,${JSON.stringify(dup.value)}:2}` });
    expectClean(await r.text(), dup.secrets, 'duplicate key');
  });
});
