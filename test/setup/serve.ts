/**
 * A quiet server on a free port for the tests of one describe block: started before them, closed after.
 */
import { afterAll, beforeAll } from 'vitest';
import { createServer, type PreflightServer, type ServeOptions } from '../../src/serve/index.js';

/** Starts a server (no log lines) for the enclosing describe block; `base` is its URL once the tests run. */
export function serveDuringTests(options: ServeOptions = {}): { readonly base: string } {
  let server: PreflightServer | undefined;
  const running = { base: '' };
  beforeAll(async () => {
    server = createServer({ port: 0, log: () => {}, ...options });
    running.base = await server.listen();
  });
  afterAll(() => server?.close());
  return running;
}
