/**
 * The first problem of a JSON text that JSON.parse refused, or that may hold a duplicate key or nest too deep: a
 * message saying what was expected and what was found, at its offset. Runs only on such texts.
 *
 * jsonc-parser's `visit` reads the text: its callbacks say where each object, array, key, separator and value is,
 * and `onError` gives the code and offset of each syntax error. The callbacks keep the containers open at the
 * current point and what came last, which is all a message needs. The first problem ends the visit (a thrown
 * `Stop`), so nothing deeper than the depth limit is ever entered.
 */
import type { JSONVisitor } from 'jsonc-parser';
import { jsoncLib } from './lazy.js';

export interface JsonProblem {
  message: string;
  offset: number;
  /** Set when the problem is nesting deeper than the limit. */
  tooDeep?: true;
}

/** What came last before the current point: what the next token may be. */
type Last = 'start' | 'open' | 'key' | 'colon' | 'comma' | 'value';

interface Container {
  object: boolean;
  open: number;
  keys: Map<string, number>;
}

interface VisitState {
  text: string;
  maxDepth: number;
  open: Container[];
  last: Last;
  commaOffset: number;
  where: (offset: number) => { line: number; column: number };
}

/** Ends the visit at the first problem. */
class Stop {
  constructor(readonly problem: JsonProblem) {}
}

const stop = (message: string, offset: number, tooDeep = false): never => {
  throw new Stop(tooDeep ? { message, offset, tooDeep } : { message, offset });
};

export function findJsonProblem(text: string, maxDepth: number, where: VisitState['where']): JsonProblem | undefined {
  const s: VisitState = { text, maxDepth, open: [], last: 'start', commaOffset: -1, where };
  try {
    jsoncLib().visit(text, visitor(s), { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  } catch (e) {
    if (e instanceof Stop) return e.problem;
    throw e;
  }
  return undefined;
}

function visitor(s: VisitState): JSONVisitor {
  const begin = (object: boolean) => (offset: number) => {
    if (s.open.length >= s.maxDepth) stop('', offset, true);
    s.open.push({ object, open: offset, keys: new Map() });
    s.last = 'open';
  };
  // An end is also reported at the end of the input, before the error for the missing bracket: only a real
  // bracket closes the container.
  const end = (offset: number) => {
    if (s.text[offset] !== '}' && s.text[offset] !== ']') return;
    s.open.pop();
    s.last = 'value';
  };
  return {
    onObjectBegin: begin(true),
    onArrayBegin: begin(false),
    onObjectEnd: end,
    onArrayEnd: end,
    onObjectProperty: (key, offset) => {
      const keys = s.open[s.open.length - 1]!.keys;
      const first = keys.get(key);
      if (first !== undefined) {
        const p = s.where(first);
        stop(`duplicate key ${JSON.stringify(key)} (first defined at line ${p.line}, column ${p.column})`, offset);
      }
      keys.set(key, offset);
      s.last = 'key';
    },
    onSeparator: (sep, offset) => {
      s.last = sep === ':' ? 'colon' : 'comma';
      if (sep === ',') s.commaOffset = offset;
    },
    onLiteralValue: () => {
      s.last = 'value';
    },
    onError: (code, offset, length) => stop(...errorMessage(s, jsoncLib().printParseErrorCode(code), offset, length)),
  };
}

/** The message and offset of a syntax error, from its code and what came before it. */
function errorMessage(s: VisitState, name: string, offset: number, length: number): [string, number] {
  const token = s.text.slice(offset, offset + length);
  switch (name) {
    case 'InvalidCommentToken':
      return [`comments are not allowed in JSON, found '${token.slice(0, 2)}'`, offset];
    case 'InvalidNumberFormat':
    case 'UnexpectedEndOfNumber':
      return numberProblem(s.text, offset, length);
    case 'UnexpectedEndOfString':
    case 'InvalidUnicode':
    case 'InvalidEscapeCharacter':
    case 'InvalidCharacter':
      return stringProblem(s.text, offset, length, name);
    case 'EndOfFileExpected':
      return [`expected the end of the input after the top-level value, found ${describeToken(s.text, offset, length)}`, offset];
    default:
      return contextProblem(s, offset, length);
  }
}

/** What the token at `offset` should have been, from the container it is in and what came before it. */
function contextProblem(s: VisitState, offset: number, length: number): [string, number] {
  const top = s.open[s.open.length - 1];
  const found = describeToken(s.text, offset, length);
  const closer = top === undefined ? undefined : top.object ? '}' : ']';
  if (s.last === 'comma' && s.text[offset] === closer) {
    const expected = top!.object ? 'a property name' : 'a value';
    return [`trailing comma is not allowed in JSON: expected ${expected} after ',', found '${closer}'`, s.commaOffset];
  }
  let unclosed = '';
  if (top !== undefined && offset >= s.text.length) {
    const p = s.where(top.open);
    unclosed = ` (the '${top.object ? '{' : '['}' at line ${p.line}, column ${p.column} is not closed)`;
  }
  return [`${expectedAfter(s.last, top)}, found ${found}${unclosed}`, offset];
}

function expectedAfter(last: Last, top: Container | undefined): string {
  if (top === undefined) return last === 'start' ? 'expected a JSON value' : 'expected the end of the input after the top-level value';
  const name = 'a property name (a double-quoted string)';
  switch (last) {
    case 'colon':
      return "expected a value after ':'";
    case 'key':
      return "expected ':' after a property name";
    case 'open':
      return top.object ? `expected ${name} or '}'` : "expected a value or ']'";
    case 'comma':
      return top.object ? `expected ${name} after ','` : "expected a value after ','";
    default:
      return top.object ? "expected ',' or '}' after a property value" : "expected ',' or ']' after an array element";
  }
}

function describeToken(text: string, offset: number, length: number): string {
  if (offset >= text.length) return 'the end of the input';
  if (text[offset] === '"') return `'"'`;
  const s = text.slice(offset, offset + Math.max(length, 1));
  if (s.startsWith("'")) return `"'" (JSON strings use double quotes)`;
  return `'${s.length > 24 ? `${s.slice(0, 24)}…` : s}'`;
}

function numberProblem(text: string, offset: number, length: number): [string, number] {
  const s = text.slice(offset, offset + length);
  const next = offset + length < text.length ? `'${text.charAt(offset + length)}'` : 'the end of the input';
  return [`invalid number '${s}': expected a digit after '${s.charAt(s.length - 1)}', found ${next}`, offset + length];
}

/** A string token the scanner refused: the character that makes it invalid. */
function stringProblem(text: string, offset: number, length: number, name: string): [string, number] {
  const end = offset + length;
  for (let i = offset + 1; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) {
      const escape = escapeProblem(text, i);
      if (typeof escape !== 'number') return escape;
      i = escape;
    } else if (c < 0x20) {
      if (c === 0x0a || c === 0x0d) break;
      const what = c === 0x09 ? 'a tab' : `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
      return [`control character in a string: ${what} must be written as an escape (e.g. \\t, \\u0000)`, i];
    }
  }
  if (name === 'UnexpectedEndOfString') return [`unterminated string: expected a closing '"' before the end of the line`, offset];
  return ['invalid string', offset];
}

/** The problem of the escape at `i` (a backslash), or the index of its last character when it is valid. */
function escapeProblem(text: string, i: number): [string, number] | number {
  const e = text.charAt(i + 1);
  if (e === 'u') {
    const hex = text.slice(i + 2, i + 6);
    if (/^[0-9a-fA-F]{4}$/.test(hex)) return i + 5;
    return [`invalid unicode escape in a string: expected '\\u' and 4 hex digits, found '\\u${hex.replace(/["\r\n].*$/s, '')}'`, i];
  }
  if (e !== '' && '"\\/bfnrt'.includes(e)) return i + 1;
  return [`invalid escape sequence '\\${e}' in a string: expected one of \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX`, i];
}
