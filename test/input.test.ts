import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { PreflightInputError } from '../src/errors.js';
import { createPreflight } from '../src/index.js';
import { fileErrorsOf, lint } from '../src/lint/index.js';
import {
  DEFAULT_LIMITS,
  decodeInput,
  formatFromName,
  isJsonLinesName,
  parseInput,
  parsePointer,
  readInputFile,
  readInputFileSync,
  type ParsedInput,
} from '../src/input/parse.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Runs f, expects a PreflightInputError and returns it. */
function fails(f: () => unknown): PreflightInputError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(PreflightInputError);
    return e as PreflightInputError;
  }
  throw new Error('expected a PreflightInputError, got none');
}

async function failsAsync(f: () => Promise<unknown>): Promise<PreflightInputError> {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(PreflightInputError);
    return e as PreflightInputError;
  }
  throw new Error('expected a PreflightInputError, got none');
}

function expectError(
  e: PreflightInputError,
  code: string,
  line: number | undefined,
  column: number | undefined,
  message?: RegExp | string,
): void {
  expect(e.code).toBe(code);
  if (line !== undefined) expect(e.position).toEqual({ line, column });
  if (message !== undefined) {
    if (typeof message === 'string') expect(e.message).toBe(message);
    else expect(e.message).toMatch(message);
  }
  expect(e.message).not.toContain('\n');
}

describe('constants and names', () => {
  it('has the default limits', () => {
    expect(DEFAULT_LIMITS).toEqual({ maxBytes: 10 * 1024 * 1024, maxDepth: 200, maxAliasCount: 100, maxYamlBytes: 256 * 1024 });
  });

  it('maps file extensions to formats', () => {
    expect(formatFromName('a.json')).toBe('json');
    expect(formatFromName('dir/a.JSONL')).toBe('json');
    expect(formatFromName('a.yaml')).toBe('yaml');
    expect(formatFromName('a.yml')).toBe('yaml');
    expect(formatFromName('a.txt')).toBeUndefined();
    expect(formatFromName('-')).toBeUndefined();
    expect(formatFromName('dir.json/file')).toBeUndefined();
    expect(isJsonLinesName('a.jsonl')).toBe(true);
    expect(isJsonLinesName('a.json')).toBe(false);
  });

  it('parses RFC 6901 pointers', () => {
    expect(parsePointer('')).toEqual([]);
    expect(parsePointer('/')).toEqual(['']);
    expect(parsePointer('/a~1b/c~0d/~01')).toEqual(['a/b', 'c~d', '~1']);
    expect(parsePointer('a')).toBeUndefined();
  });
});

describe('decodeInput', () => {
  it('decodes UTF-8 and strips a leading BOM', () => {
    expect(decodeInput(enc('{"a":"é"}'), 'f.json')).toBe('{"a":"é"}');
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...enc('{"a":1}')]);
    expect(decodeInput(withBom, 'f.json')).toBe('{"a":1}');
    expect(parseInput(decodeInput(withBom, 'f.json'), 'f.json').value).toEqual({ a: 1 });
  });

  it('a second BOM is a stray character: a parse error at 1:1, in the bytes of a file and in text (it was dropped too)', () => {
    const bom = [0xef, 0xbb, 0xbf];
    for (const doc of ['{"a":1}', 'a: 1\n']) {
      const twice = new Uint8Array([...bom, ...bom, ...enc(doc)]);
      expectError(fails(() => decodeInput(twice, 'f')), 'E_INPUT_PARSE', 1, 1, /U\+FEFF \(a second byte-order mark\)/);
      expectError(fails(() => parseInput(`\ufeff\ufeff${doc}`, 'f')), 'E_INPUT_PARSE', 1, 1, /U\+FEFF \(a second byte-order mark\)/);
    }
    // One BOM, then text that starts with another character, is read as before.
    expect(parseInput(decodeInput(new Uint8Array([...bom, ...enc('a: 1')]), 'f.yaml'), 'f.yaml').value).toEqual({ a: 1 });
  });

  it('decodes an empty input to an empty string', () => {
    expect(decodeInput(new Uint8Array(0), 'f.json')).toBe('');
  });

  it('rejects UTF-16 LE and BE with a BOM', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"a":1}', 'utf16le')]);
    expectError(fails(() => decodeInput(le, 'f.json')), 'E_INPUT_PARSE', 1, 1, /UTF-16 \(little-endian\).*expected UTF-8/);
    const beBody = Buffer.from('{"a":1}', 'utf16le').swap16();
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), beBody]);
    expectError(fails(() => decodeInput(be, 'f.json')), 'E_INPUT_PARSE', 1, 1, /UTF-16 \(big-endian\)/);
    expect(fails(() => decodeInput(le, 'f.json')).file).toBe('f.json');
  });

  it('rejects UTF-16 without a BOM by its NUL pattern', () => {
    const le = Buffer.from('{"a": 1}\n', 'utf16le');
    expectError(fails(() => decodeInput(le, 'f.json')), 'E_INPUT_PARSE', 1, 1, /UTF-16 \(little-endian\)/);
    const be = Buffer.from('a: 1\n', 'utf16le').swap16();
    expectError(fails(() => decodeInput(be, 'f.yaml')), 'E_INPUT_PARSE', 1, 1, /UTF-16 \(big-endian\)/);
  });

  it('rejects binary data (NUL bytes) with the position of the first NUL', () => {
    const bin = Buffer.concat([Buffer.from('{"a":\n  1'), Buffer.from([0x00, 0x01, 0x02, 0xff, 0x00])]);
    expectError(fails(() => decodeInput(bin, 'f.bin')), 'E_INPUT_PARSE', 2, 4, /binary data: found a NUL byte/);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]);
    expect(fails(() => decodeInput(png, 'f.png')).code).toBe('E_INPUT_PARSE');
  });

  it('rejects invalid UTF-8 with the line and column of the first bad byte', () => {
    // "café" in Latin-1 on line 2: {"a":\n "caf\xe9"}
    const latin1 = Buffer.concat([Buffer.from('{"a":\n "é caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
    const e = fails(() => decodeInput(latin1, 'f.json'));
    expectError(e, 'E_INPUT_PARSE', 2, 8, /invalid UTF-8: byte 0xE9/);
    expect(e.oneLine).toBe(`f.json:2:8: ${e.message}`);
    expectError(fails(() => decodeInput(Buffer.from([0x41, 0x80]), 'f')), 'E_INPUT_PARSE', 1, 2, /continuation byte 0x80/);
    // overlong encoding and UTF-16 surrogates encoded in UTF-8 are invalid
    expectError(fails(() => decodeInput(Buffer.from([0xc0, 0xaf]), 'f')), 'E_INPUT_PARSE', 1, 1);
    expectError(fails(() => decodeInput(Buffer.from([0x61, 0xed, 0xa0, 0x80]), 'f')), 'E_INPUT_PARSE', 1, 2);
    // a truncated sequence at the end
    expectError(fails(() => decodeInput(Buffer.from([0x61, 0x0a, 0xe2, 0x82]), 'f')), 'E_INPUT_PARSE', 2, 1);
  });
});

describe('reading files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'preflight-input-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a file (sync and async)', async () => {
    const p = join(dir, 'ok.json');
    writeFileSync(p, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a": "ü"}')]));
    expect(readInputFileSync(p)).toEqual({ text: '{"a": "ü"}', file: p });
    expect(await readInputFile(p)).toEqual({ text: '{"a": "ü"}', file: p });
  });

  it('reports a missing file, a directory and an unreadable file as E_INPUT_READ', async () => {
    const missing = join(dir, 'nope.json');
    expectError(fails(() => readInputFileSync(missing)), 'E_INPUT_READ', undefined, undefined, 'cannot read file: no such file');
    expect(fails(() => readInputFileSync(missing)).file).toBe(missing);
    expectError(await failsAsync(() => readInputFile(missing)), 'E_INPUT_READ', undefined, undefined, 'cannot read file: no such file');
    expectError(fails(() => readInputFileSync(dir)), 'E_INPUT_READ', undefined, undefined, /cannot read file: it is a directory/);
    expectError(await failsAsync(() => readInputFile(dir)), 'E_INPUT_READ', undefined, undefined, /directory/);
    const locked = join(dir, 'locked.json');
    writeFileSync(locked, '{}');
    chmodSync(locked, 0o000);
    if (process.getuid?.() !== 0) {
      expectError(fails(() => readInputFileSync(locked)), 'E_INPUT_READ', undefined, undefined, 'cannot read file: permission denied');
      expectError(await failsAsync(() => readInputFile(locked)), 'E_INPUT_READ', undefined, undefined, /permission denied/);
    }
  });

  it('rejects a file over maxBytes with E_INPUT_LIMIT naming the limit', async () => {
    const p = join(dir, 'big.json');
    writeFileSync(p, `{"a": "${'x'.repeat(2000)}"}`);
    const e = fails(() => readInputFileSync(p, { maxBytes: 1024 }));
    expectError(e, 'E_INPUT_LIMIT', undefined, undefined, /limit of 1 KiB \(maxBytes = 1024\)/);
    expect(e.file).toBe(p);
    expect((await failsAsync(() => readInputFile(p, { maxBytes: 1000 }))).message).toMatch(/1000 bytes/);
    expect(readInputFileSync(p, { maxBytes: 4096 }).text.length).toBe(2009);
  });

  it('decodes while reading: a UTF-16 file is E_INPUT_PARSE', () => {
    const p = join(dir, 'utf16.json');
    writeFileSync(p, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{}', 'utf16le')]));
    expect(fails(() => readInputFileSync(p)).code).toBe('E_INPUT_PARSE');
  });

  it("reads stdin for '-' (sync and async)", () => {
    const module = fileURLToPath(new URL('../src/input/parse.ts', import.meta.url));
    for (const variant of ['sync', 'async']) {
      const script =
        variant === 'sync'
          ? `import { readInputFileSync } from ${JSON.stringify(module)}; const r = readInputFileSync('-'); console.log(JSON.stringify(r));`
          : `import { readInputFile } from ${JSON.stringify(module)}; const r = await readInputFile('-'); console.log(JSON.stringify(r));`;
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        input: '\ufeffa: 1\n',
        encoding: 'utf8',
        cwd: fileURLToPath(new URL('..', import.meta.url)),
      });
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toEqual({ text: 'a: 1\n', file: '<stdin>' });
    }
  });
});

describe('format selection', () => {
  it('uses options.format first, then the extension, then the content', () => {
    expect(parseInput('{"a": 1}', 'x.yaml', { format: 'json' }).format).toBe('json');
    expect(parseInput('{"a": 1}', 'x.yaml').format).toBe('yaml');
    expect(parseInput('a: 1', 'x.json', { format: 'yaml' }).format).toBe('yaml');
    expect(parseInput('  {"a": 1}', '-').format).toBe('json');
    expect(parseInput('\n[1]'.slice(0, 0) + '{"a": [1]}', '<stdin>').format).toBe('json');
    expect(parseInput('a: 1', '<stdin>').format).toBe('yaml');
    expect(parseInput('# comment\n{"a": 1}', 'x').format).toBe('yaml');
  });

  it('parses a .json file as strict JSON (no comments, no trailing commas)', () => {
    expectError(fails(() => parseInput('{"a": 1} // note', 'x.json')), 'E_INPUT_PARSE', 1, 10, /comments are not allowed in JSON/);
    expectError(fails(() => parseInput('{\n  /* c */ "a": 1}', 'x.json')), 'E_INPUT_PARSE', 2, 3, /comments are not allowed/);
    expectError(fails(() => parseInput('{"a": 1,}', 'x.json')), 'E_INPUT_PARSE', 1, 8, /trailing comma/);
    // The same text as YAML (flow mapping) is fine.
    expect(parseInput('{"a": 1,}', 'x.yaml').value).toEqual({ a: 1 });
  });

  it('reports the JSON error when content sniffing chose JSON (no silent YAML fallback)', () => {
    const e = fails(() => parseInput('{a: 1}', '<stdin>'));
    expectError(e, 'E_INPUT_PARSE', 1, 2, "expected a property name (a double-quoted string) or '}', found 'a'");
  });
});

describe('JSON syntax errors', () => {
  const cases: Array<[string, string, number, number, string | RegExp]> = [
    ['missing comma', '{\n  "a": 1\n  "b": 2\n}', 3, 3, `expected ',' or '}' after a property value, found '"'`],
    ['missing comma in an array', '{"a": [1 2]}', 1, 10, `expected ',' or ']' after an array element, found '2'`],
    ['trailing comma in an object', '{\n  "a": 1,\n}', 2, 9, /^trailing comma is not allowed in JSON: expected a property name after ',', found '}'/],
    ['trailing comma in an array', '{"a": [1, 2,]}', 1, 12, /^trailing comma is not allowed in JSON/],
    ['unterminated string', '{\n  "a": "abc\n}', 2, 8, `unterminated string: expected a closing '"' before the end of the line`],
    ['unterminated string at the end', '{"a": "abc', 1, 7, /^unterminated string/],
    ['unclosed object', '{\n  "a": {"b": 1}\n', 3, 1, /^expected ',' or '}' after a property value, found the end of the input \(the '\{' at line 1, column 1 is not closed\)$/],
    ['missing colon', '{"a" 1}', 1, 6, `expected ':' after a property name, found '1'`],
    ['missing value', '{"a": }', 1, 7, `expected a value after ':', found '}'`],
    ['single quotes', "{'a': 1}", 1, 2, /JSON strings use double quotes/],
    ['unquoted key', '{a: 1}', 1, 2, /expected a property name .* found 'a'/],
    ['bad literal', '{"a": True}', 1, 7, `expected a value after ':', found 'True'`],
    ['NaN', '{"a": NaN}', 1, 7, /found 'NaN'/],
    ['leading zero', '{"a": 01}', 1, 8, /found '1'/],
    ['bad number', '{"a": 1.}', 1, 9, /^invalid number '1\.': expected a digit after '\.'/],
    ['bad escape', '{"a": "x\\qy"}', 1, 9, /^invalid escape sequence '\\q' in a string/],
    ['bad unicode escape', '{"a": "\\u12x4"}', 1, 8, /^invalid unicode escape/],
    ['raw tab in a string', '{"a": "x\ty"}', 1, 9, /^control character in a string: a tab/],
    ['garbage after the value', '{"a": 1}\n}', 2, 1, `expected the end of the input after the top-level value, found '}'`],
    ['second document', '{"a": 1}\n{"b": 2}', 2, 1, /^expected the end of the input after the top-level value/],
    ['non-JSON whitespace', '{"a":\u00a01}', 1, 6, /found '\u00a0/],
    ['mismatched bracket', '{"a": [1}', 1, 9, `expected ',' or ']' after an array element, found '}'`],
  ];
  for (const [name, text, line, column, message] of cases) {
    it(name, () => {
      const e = fails(() => parseInput(text, 'req.json'));
      expectError(e, 'E_INPUT_PARSE', line, column, message);
      expect(e.file).toBe('req.json');
      expect(e.oneLine.startsWith(`req.json:${line}:${column}: `)).toBe(true);
    });
  }

  it('counts columns in characters (UTF-16 units) and lines with \\r\\n', () => {
    expectError(fails(() => parseInput('{"é😀": 1 "b": 2}', 'x.json')), 'E_INPUT_PARSE', 1, 11);
    expectError(fails(() => parseInput('{\r\n"a": 1\r\n"b": 2}', 'x.json')), 'E_INPUT_PARSE', 3, 1);
  });

  it('positions ignore a BOM left in the text', () => {
    expectError(fails(() => parseInput('\ufeff{"a" 1}', 'x.json')), 'E_INPUT_PARSE', 1, 6);
    expect(parseInput('\ufeff{"a": 1}', 'x.json').value).toEqual({ a: 1 });
  });
});

describe('empty input', () => {
  it('rejects an empty file', () => {
    expectError(fails(() => parseInput('', 'x.json')), 'E_INPUT_PARSE', 1, 1, 'empty input: expected a JSON document, found nothing');
    expectError(fails(() => parseInput('', 'x.yaml')), 'E_INPUT_PARSE', 1, 1, /^empty input: expected a YAML document/);
    expectError(fails(() => parseInput('', '<stdin>')), 'E_INPUT_PARSE', 1, 1, /expected a JSON or YAML document/);
  });

  it('rejects whitespace only', () => {
    expectError(fails(() => parseInput(' \n\t\r\n', 'x.json')), 'E_INPUT_PARSE', 1, 1, /^input contains only whitespace/);
    expectError(fails(() => parseInput('\n\n', '-')), 'E_INPUT_PARSE', 1, 1, /^input contains only whitespace/);
  });

  it('rejects a YAML file with only comments', () => {
    expectError(fails(() => parseInput('# nothing here\n', 'x.yaml')), 'E_INPUT_PARSE', 1, 1, /no YAML document/);
  });
});

describe('top-level shape', () => {
  const cases: Array<[string, string, string, number, number]> = [
    ['[1, 2]', 'x.json', 'an array', 1, 1],
    ['\n  "text"', 'x.json', 'a string', 2, 3],
    ['42', 'x.json', 'a number', 1, 1],
    ['null', 'x.json', 'null', 1, 1],
    ['true', 'x.json', 'a boolean', 1, 1],
    ['- a\n- b\n', 'x.yaml', 'an array', 1, 1],
    ['# c\nhello\n', 'x.yaml', 'a string', 2, 1],
    ['12\n', 'x.yaml', 'a number', 1, 1],
    ['~\n', 'x.yaml', 'null', 1, 1],
    ['---\nnull\n', 'x.yaml', 'null', 2, 1],
  ];
  for (const [text, file, what, line, column] of cases) {
    it(`${file}: ${JSON.stringify(text)} is ${what}`, () => {
      const e = fails(() => parseInput(text, file));
      expectError(e, 'E_INPUT_SHAPE', line, column, `expected the top-level value to be an object, found ${what}`);
    });
  }

  it('accepts objects', () => {
    expect(parseInput('{}', 'x.json').value).toEqual({});
    expect(parseInput('{}\n', 'x.yaml').value).toEqual({});
  });
});

describe('duplicate keys', () => {
  it('JSON: reports the second occurrence and the key name', () => {
    const e = fails(() => parseInput('{\n  "model": "a",\n  "body": {},\n  "model": "b"\n}', 'x.json'));
    expectError(e, 'E_INPUT_PARSE', 4, 3, 'duplicate key "model" (first defined at line 2, column 3)');
  });

  it('JSON: nested, escaped and colon-containing keys', () => {
    expectError(fails(() => parseInput('{"a": [{"b": 1}, {"c": 1, "c": 2}]}', 'x.json')), 'E_INPUT_PARSE', 1, 27, /^duplicate key "c"/);
    expectError(fails(() => parseInput('{"a": 1, "\\u0061": 2}', 'x.json')), 'E_INPUT_PARSE', 1, 10, /^duplicate key "a"/);
    expectError(fails(() => parseInput('{"a:b": "x:y", "a:b": "z"}', 'x.json')), 'E_INPUT_PARSE', 1, 16, /^duplicate key "a:b"/);
    expectError(fails(() => parseInput('{"__proto__": 1, "__proto__": 2}', 'x.json')), 'E_INPUT_PARSE', 1, 18, /^duplicate key "__proto__"/);
    // a \u003a escape (a colon that is not a ':' of the text) neither hides nor invents a duplicate
    expectError(fails(() => parseInput('{"x": "\\u003a", "y": {"a": 1, "a": 2}}', 'x.json')), 'E_INPUT_PARSE', 1, 31);
    expect(parseInput('{"x": "\\u003A:", "y": {"a": 1, "b": 2}}', 'x.json').value).toEqual({ x: '::', y: { a: 1, b: 2 } });
    // the same key in different objects is fine
    expect(parseInput('{"a": {"a": {"a": 1}}, "b": [{"a": 1}, {"a": 2}]}', 'x.json').value).toBeTruthy();
  });

  it('JSON: detection is exact (property-based)', () => {
    // Keys and strings are JSON string bodies (already escaped), including colons and \u003a escapes.
    type J = { t: 'obj'; entries: Array<[string, J]> } | { t: 'arr'; items: J[] } | { t: 'str'; s: string } | { t: 'num'; n: number };
    const keys = fc.constantFrom('a', 'b', 'a:', ':', '__proto__', 'c\\"d', '\\u003a', '\\u003A:', 'x\\\\');
    const tree = fc.letrec<{ value: J; object: J }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.record({ t: fc.constant('str' as const), s: keys }),
        fc.record({ t: fc.constant('num' as const), n: fc.integer() }),
        fc.record({ t: fc.constant('arr' as const), items: fc.array(tie('value'), { maxLength: 3 }) }),
        tie('object'),
      ),
      object: fc.record({ t: fc.constant('obj' as const), entries: fc.array(fc.tuple(keys, tie('value')), { maxLength: 4 }) }),
    }));
    const render = (v: J): [string, boolean] => {
      switch (v.t) {
        case 'str':
          return [`"${v.s}"`, false];
        case 'num':
          return [String(v.n), false];
        case 'arr': {
          const parts = v.items.map(render);
          return [`[${parts.map((p) => p[0]).join(', ')}]`, parts.some((p) => p[1])];
        }
        case 'obj': {
          const names = v.entries.map(([k]) => JSON.parse(`"${k}"`) as string);
          const dup = new Set(names).size !== names.length;
          const parts = v.entries.map(([k, val]) => [`"${k}": ${render(val)[0]}`, render(val)[1]] as const);
          return [`{${parts.map((p) => p[0]).join(',\n ')}}`, dup || parts.some((p) => p[1])];
        }
      }
    };
    fc.assert(
      fc.property(tree.object, (obj) => {
        const [text, dup] = render(obj);
        let error: PreflightInputError | undefined;
        try {
          parseInput(text, 'p.json');
        } catch (e) {
          error = e as PreflightInputError;
        }
        expect(error?.message.startsWith('duplicate key') ?? false).toBe(dup);
      }),
      { numRuns: 1000 },
    );
  });

  it('YAML: reports the second occurrence and the key name', () => {
    const e = fails(() => parseInput('model: a\nbody:\n  x: 1\nmodel: b\n', 'x.yaml'));
    expectError(e, 'E_INPUT_PARSE', 4, 1, 'duplicate key "model" (first defined at line 1, column 1)');
  });

  it('YAML: duplicates as JS property names (quoted, numeric, nested, flow)', () => {
    expectError(fails(() => parseInput('a: 1\n"a": 2\n', 'x.yaml')), 'E_INPUT_PARSE', 2, 1, /^duplicate key "a"/);
    expectError(fails(() => parseInput('1: x\n"1": y\n', 'x.yaml')), 'E_INPUT_PARSE', 2, 1, /^duplicate key "1"/);
    expectError(fails(() => parseInput('a:\n  - {b: 1, b: 2}\n', 'x.yaml')), 'E_INPUT_PARSE', 2, 12, /^duplicate key "b"/);
    expect(parseInput('a: {b: 1}\nc: {b: 1}\n', 'x.yaml').value).toEqual({ a: { b: 1 }, c: { b: 1 } });
  });
});

describe('YAML', () => {
  it('parses YAML 1.2 core schema values', () => {
    const r = parseInput('a: yes\nb: 0o17\nc: 1.5\nd: ~\ne: true\nf: "2001-12-14"\ng: 2001-12-14\n<<: {x: 1}\n', 'x.yaml');
    expect(r.value).toEqual({ a: 'yes', b: 15, c: 1.5, d: null, e: true, f: '2001-12-14', g: '2001-12-14', '<<': { x: 1 } });
    expect(r.format).toBe('yaml');
  });

  const syntax: Array<[string, string, number, number]> = [
    ['nested implicit mapping', 'a: b: c\n', 1, 4],
    ['unclosed flow sequence', 'a: 1\nb: [1, 2\n', 3, 1],
    ['unclosed quote', 'a: 1\nb: "abc\n', 3, 1],
    ['tab indentation', 'a:\n\tb: 1\n', 2, 1],
    ['bad indentation', 'a:\n  b: 1\n c: 2\n', 3, 1],
  ];
  for (const [name, text, line, column] of syntax) {
    it(`syntax error: ${name}`, () => {
      const e = fails(() => parseInput(text, 'x.yaml'));
      expectError(e, 'E_INPUT_PARSE', line, column, /^invalid YAML: /);
      expect(e.oneLine.startsWith(`x.yaml:${line}:${column}: invalid YAML`)).toBe(true);
    });
  }

  it('rejects multiple documents', () => {
    expectError(fails(() => parseInput('a: 1\n---\nb: 2\n', 'x.yaml')), 'E_INPUT_PARSE', 2, 1, /single YAML document, found a second/);
    expect(parseInput('---\na: 1\n...\n', 'x.yaml').value).toEqual({ a: 1 });
  });

  it('rejects custom and non-core tags without executing anything', () => {
    expectError(fails(() => parseInput('a: !!js/function "function () { globalThis.hacked = 1 }"\n', 'x.yaml')), 'E_INPUT_PARSE', 1, 4, /unsupported YAML tag !!js\/function/);
    expect((globalThis as Record<string, unknown>).hacked).toBeUndefined();
    expectError(fails(() => parseInput('a: !Ref b\n', 'x.yaml')), 'E_INPUT_PARSE', 1, 4, /unsupported YAML tag !Ref/);
    expectError(fails(() => parseInput('a: !!set {x, y}\n', 'x.yaml')), 'E_INPUT_PARSE', 1, 4, /!!set/);
    expectError(fails(() => parseInput('a: !!binary aGk=\n', 'x.yaml')), 'E_INPUT_PARSE', 1, 4, /!!binary/);
    expect(parseInput('a: !!str 12\nb: !!int "3"\n', 'x.yaml').value).toEqual({ a: '12', b: 3 });
  });

  it('rejects collection keys', () => {
    expectError(fails(() => parseInput('? [a, b]\n: 1\n', 'x.yaml')), 'E_INPUT_PARSE', 1, 3, /scalar .* as a mapping key, found a sequence/);
  });

  it('resolves aliases and rejects unknown and recursive ones', () => {
    expect(parseInput('a: &x {k: 1}\nb: *x\n', 'x.yaml').value).toEqual({ a: { k: 1 }, b: { k: 1 } });
    expectError(fails(() => parseInput('a: *nope\n', 'x.yaml')), 'E_INPUT_PARSE', 1, 4, /unknown YAML alias \*nope/);
    expectError(fails(() => parseInput('a: &x [1, *x]\n', 'x.yaml')), 'E_INPUT_PARSE', 1, 11, /recursive/);
  });

  it('rejects an alias bomb (billion laughs) quickly', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      levels.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const e = fails(() => parseInput(levels.join('\n') + '\n', 'bomb.yaml'));
    expectError(e, 'E_INPUT_LIMIT', undefined, undefined, /alias.*maxAliasCount = 100/);
    expect(e.position).toBeDefined();
    // A lower limit rejects fewer expansions; a small document with a few aliases passes the default.
    expect(fails(() => parseInput('a: &a [1]\nb: [*a, *a]\n', 'x.yaml', { limits: { maxAliasCount: 1 } })).code).toBe('E_INPUT_LIMIT');
    expect(parseInput('a: &a [1]\nb: [*a, *a]\n', 'x.yaml').value).toEqual({ a: [1], b: [[1], [1]] });
  });
});

describe('depth limit', () => {
  it('JSON: 100,000 nested [ (unclosed and closed) are E_INPUT_LIMIT, without a stack overflow', () => {
    const n = 100_000;
    for (const text of ['['.repeat(n), '['.repeat(n) + ']'.repeat(n), '{"a":'.repeat(n) + '1' + '}'.repeat(n)]) {
      const e = fails(() => parseInput(text, 'deep.json'));
      expectError(e, 'E_INPUT_LIMIT', 1, text.startsWith('[') ? 201 : 1001, /at most 200 levels \(maxDepth = 200\)/);
    }
  });

  it('JSON: exactly maxDepth levels pass, one more fails', () => {
    const nest = (d: number) => '{"a":'.repeat(d) + '1' + '}'.repeat(d);
    expect(parseInput(nest(200), 'x.json').value).toBeTruthy();
    expect(fails(() => parseInput(nest(201), 'x.json')).code).toBe('E_INPUT_LIMIT');
    expect(fails(() => parseInput(nest(6), 'x.json', { limits: { maxDepth: 5 } })).position).toEqual({ line: 1, column: 26 });
    expect(parseInput(nest(5), 'x.json', { limits: { maxDepth: 5 } }).value).toBeTruthy();
  });

  it('YAML: deep flow, block and compact nesting are E_INPUT_LIMIT', () => {
    const n = 100_000;
    const flow = fails(() => parseInput('a: ' + '['.repeat(n) + ']'.repeat(n) + '\n', 'deep.yaml'));
    expectError(flow, 'E_INPUT_LIMIT', 1, 203, /at most 200 levels/);
    const unclosed = fails(() => parseInput('a: ' + '{"k": '.repeat(n), 'deep.yaml'));
    expect(unclosed.code).toBe('E_INPUT_LIMIT');
    let block = '';
    for (let i = 0; i < 1000; i++) block += ' '.repeat(i) + 'k:\n';
    expectError(fails(() => parseInput(block, 'deep.yaml')), 'E_INPUT_LIMIT', 201, 201);
    expectError(fails(() => parseInput('- '.repeat(n) + 'x\n', 'deep.yaml', { format: 'yaml' })), 'E_INPUT_LIMIT', 1, 401);
    let ok = '';
    for (let i = 0; i < 200; i++) ok += ' '.repeat(i) + 'k:\n';
    expect(parseInput(ok, 'ok.yaml').value).toBeTruthy();
  });

  it('YAML: depth counts aliases expanded', () => {
    let text = 'a0: &a0 [1]\n';
    for (let i = 1; i < 300; i++) text += `a${i}: &a${i} [*a${i - 1}]\n`;
    const e = fails(() => parseInput(text, 'x.yaml'));
    expectError(e, 'E_INPUT_LIMIT', 200, 14, /through alias \*a198/);
  });
});

describe('prototype pollution', () => {
  it('JSON: __proto__, constructor and prototype are own data properties', () => {
    const r = parseInput('{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 2}}, "prototype": 3}', 'x.json');
    const v = r.value as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(v, '__proto__')).toBe(true);
    expect(Object.hasOwn(v, 'constructor')).toBe(true);
    expect(Object.hasOwn(v, 'prototype')).toBe(true);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(v, '__proto__')?.value).toEqual({ polluted: 1 });
    expect(v.polluted).toBeUndefined();
    expect(r.locate('/__proto__/polluted')).toEqual({ line: 1, column: 16 });
  });

  it('YAML: __proto__, constructor and prototype are own data properties', () => {
    const r = parseInput('__proto__:\n  polluted: 1\nconstructor: {prototype: {polluted: 2}}\nprototype: 3\n"__proto__x": 4\n', 'x.yaml');
    const v = r.value as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(v, '__proto__')).toBe(true);
    expect(Object.hasOwn(v, 'constructor')).toBe(true);
    expect(Object.hasOwn(v, 'prototype')).toBe(true);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(v, '__proto__')?.value).toEqual({ polluted: 1 });
    expect(v.polluted).toBeUndefined();
    expect(r.locate('/__proto__/polluted')).toEqual({ line: 2, column: 3 });
  });
});

describe('locate', () => {
  const jsonText = [
    '{',
    '  "url": "https://x/model/m/converse",',
    '  "body": {',
    '    "messages": [',
    '      {"role": "user", "content": [{"text": "hi"}]},',
    '      {',
    '        "role": "assistant"',
    '      }',
    '    ],',
    '    "a/b": 1, "m~n": {"x~/y": 2},',
    '    "empty": {}',
    '  }',
    '}',
  ].join('\n');
  const yamlText = [
    'url: https://x/model/m/converse',
    'body:',
    '  messages:',
    '    - role: user',
    '      content: [{text: hi}]',
    '    -',
    '      "role": assistant',
    '  a/b: 1',
    "  'm~n': {x~/y: 2}",
    '  empty: {}',
    '',
  ].join('\n');

  const expectations: Array<[string, [number, number], [number, number]]> = [
    ['', [1, 1], [1, 1]],
    ['/url', [2, 3], [1, 1]],
    ['/body', [3, 3], [2, 1]],
    ['/body/messages', [4, 5], [3, 3]],
    ['/body/messages/0', [5, 7], [4, 7]],
    ['/body/messages/0/role', [5, 8], [4, 7]],
    ['/body/messages/0/content/0/text', [5, 37], [5, 18]],
    ['/body/messages/1', [6, 7], [7, 7]],
    ['/body/messages/1/role', [7, 9], [7, 7]],
    ['/body/a~1b', [10, 5], [8, 3]],
    ['/body/m~0n', [10, 15], [9, 3]],
    ['/body/m~0n/x~0~1y', [10, 23], [9, 11]],
    // missing: the start of the deepest existing enclosing object/array
    ['/body/missing', [3, 11], [3, 3]],
    ['/body/messages/7', [4, 17], [4, 5]],
    ['/body/messages/-', [4, 17], [4, 5]],
    ['/body/messages/0/content/0/missing', [5, 36], [5, 17]],
    ['/body/empty/x', [11, 14], [10, 10]],
    ['/url/deeper', [1, 1], [1, 1]],
    ['/nope/deeper', [1, 1], [1, 1]],
  ];

  let json: ParsedInput;
  let yaml: ParsedInput;
  beforeAll(() => {
    json = parseInput(jsonText, 'r.json');
    yaml = parseInput(yamlText, 'r.yaml');
  });

  for (const [pointer, j, y] of expectations) {
    it(`JSON ${JSON.stringify(pointer)}`, () => {
      expect(json.locate(pointer)).toEqual({ line: j[0], column: j[1] });
    });
    it(`YAML ${JSON.stringify(pointer)}`, () => {
      expect(yaml.locate(pointer)).toEqual({ line: y[0], column: y[1] });
    });
  }

  it('parses both documents to the same value', () => {
    expect(yaml.value).toEqual(json.value);
  });

  it('treats an invalid pointer as the document start', () => {
    expect(json.locate('body')).toEqual({ line: 1, column: 1 });
  });

  it('handles a document value that does not start at 1:1, and \\r\\n', () => {
    const r = parseInput('\r\n\r\n  {"a": {\r\n    "b": 1}}', 'x.json');
    expect(r.locate('')).toEqual({ line: 3, column: 3 });
    expect(r.locate('/a/b')).toEqual({ line: 4, column: 5 });
    const y = parseInput('# comment\r\n---\r\na:\r\n  "b": 1\r\n', 'x.yaml');
    expect(y.locate('')).toEqual({ line: 3, column: 1 });
    expect(y.locate('/a/b')).toEqual({ line: 4, column: 3 });
  });

  it('follows YAML aliases', () => {
    const y = parseInput('defs: &d {k: 1}\nuse: *d\nlist: [*d]\n', 'x.yaml');
    expect(y.locate('/use')).toEqual({ line: 2, column: 1 });
    expect(y.locate('/use/k')).toEqual({ line: 1, column: 11 });
    expect(y.locate('/list/0')).toEqual({ line: 3, column: 8 });
  });

  it('locates keys by their JS property name in YAML (numbers, null)', () => {
    const y = parseInput('200: ok\n~: nothing\n', 'x.yaml');
    expect(y.value).toEqual({ '200': 'ok', '': 'nothing' });
    expect(y.locate('/200')).toEqual({ line: 1, column: 1 });
    expect(y.locate('/')).toEqual({ line: 2, column: 1 });
  });
});

describe('JSON Lines (read by lint, one strict JSON request per line)', () => {
  const text = '{"a": 1}\n\n   \n{"a": {"b": 2},}\r\n  {"x": {"y": [1, {"z": 3}]}}\n[1]\n{"k": 1, "k": 2}\na: 1\n{"last": true}';

  it('reports each bad line at its line and column of the file, skipping blank lines, and checks the good ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bp-jsonl-'));
    const file = join(dir, 'reqs.jsonl');
    writeFileSync(file, `\ufeff${text}`);
    try {
      const [entry] = lint([file], { endpoint: 'bedrock-mantle', preflight: createPreflight() }).files;
      expect(fileErrorsOf(entry!)).toEqual([
        expect.objectContaining({ code: 'E_INPUT_PARSE', line: 4, column: 15, message: expect.stringMatching(/^trailing comma/) }),
        expect.objectContaining({ code: 'E_INPUT_SHAPE', line: 6, column: 1, message: expect.stringMatching(/found an array/) }),
        expect.objectContaining({ code: 'E_INPUT_PARSE', line: 7, column: 10, message: expect.stringMatching(/^duplicate key "k" \(first defined at line 7, column 2\)/) }),
        expect.objectContaining({ code: 'E_INPUT_PARSE', line: 8, column: 1 }),
      ]);
      expect(entry!.findings.length).toBeGreaterThan(0);
      for (const f of entry!.findings) expect([1, 5, 9]).toContain(f.line);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('size limit', () => {
  it('rejects text over maxBytes (counted in UTF-8 bytes)', () => {
    const e = fails(() => parseInput(`{"a": "${'é'.repeat(600)}"}`, 'x.json', { limits: { maxBytes: 1024 } }));
    expectError(e, 'E_INPUT_LIMIT', undefined, undefined, /larger than the limit of 1 KiB \(maxBytes = 1024\)/);
    expect(parseInput(`{"a": "${'e'.repeat(600)}"}`, 'x.json', { limits: { maxBytes: 1024 } }).value).toBeTruthy();
  });
});

describe('a 2 KB request', () => {
  const request = {
    method: 'POST',
    url: 'https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-sonnet-20240620-v1:0/converse',
    headers: { 'content-type': 'application/json', 'x-amzn-bedrock-guardrailidentifier': 'gr-123' },
    body: {
      messages: [
        { role: 'user', content: [{ text: 'Summarize the following customer support transcript and list follow-up actions.' }] },
        { role: 'assistant', content: [{ text: 'Sure. Please paste the transcript: "quoted" \\ and a colon: here' }] },
        { role: 'user', content: [{ text: 'Customer: My order #4521 arrived damaged. Agent: we will send a replacement by Friday.' }] },
      ],
      system: [{ text: 'You are a helpful assistant for the support team.' }, { cachePoint: { type: 'default' } }],
      inferenceConfig: { maxTokens: 1024, temperature: 0.2, topP: 0.9 },
      toolConfig: {
        tools: [
          {
            toolSpec: {
              name: 'create_ticket',
              description: 'Create a follow-up ticket in the CRM',
              inputSchema: {
                json: {
                  type: 'object',
                  properties: { title: { type: 'string' }, owner: { type: 'string' }, priority: { type: 'string', enum: ['low', 'high'] } },
                  required: ['title', 'owner'],
                },
              },
            },
          },
        ],
        toolChoice: { auto: {} },
      },
      guardrailConfig: { guardrailIdentifier: 'gr-123', guardrailVersion: '1', trace: 'enabled' },
      requestMetadata: { team: 'support', costCenter: 'cc-42' },
    },
  };
  const text = JSON.stringify(request, null, 2);

  it('is about 2 KB', () => {
    expect(text.length).toBeGreaterThan(1800);
    expect(text.length).toBeLessThan(2600);
  });

  it('parses and locates correctly', () => {
    const r = parseInput(text, 'req.json');
    expect(r.value).toEqual(request);
    const lines = text.split('\n');
    const find = (needle: string) => {
      const line = lines.findIndex((l) => l.includes(needle));
      return { line: line + 1, column: lines[line]!.indexOf(needle) + 1 };
    };
    expect(r.locate('/body/inferenceConfig/temperature')).toEqual(find('"temperature"'));
    expect(r.locate('/body/guardrailConfig')).toEqual(find('"guardrailConfig"'));
    expect(r.locate('/body/toolConfig/tools/0/toolSpec/inputSchema/json/required')).toEqual(find('"required"'));
    expect(r.locate('/headers/x-amzn-bedrock-guardrailidentifier')).toEqual(find('"x-amzn-bedrock-guardrailidentifier"'));
    expect(r.locate('/body/additionalModelRequestFields')).toEqual({ line: find('"body"').line, column: find('"body"').column + 8 });
  });
});
