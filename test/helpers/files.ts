/** Test helpers shared by the suites that build folders of files and expect a PreflightInputError. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { isPreflightInputError, type PreflightInputError } from '../../src/errors.js';

/** A fresh temporary folder holding `files` (paths relative to it, folders made as needed); returns its path. */
export function folder(files: Record<string, string>, prefix = 'bp-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** The PreflightInputError `f` throws; fails the test when it throws nothing or something else. */
export function thrown(f: () => unknown): PreflightInputError {
  try {
    f();
  } catch (e) {
    if (isPreflightInputError(e)) return e;
    throw e;
  }
  throw new Error('expected an error');
}
