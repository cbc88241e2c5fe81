/**
 * Many checks at once in one process give the same results as one after another: interleaved on the event loop,
 * and in parallel worker threads. (json-rules-engine shares one run status per Engine and can drop results under
 * interleaving; the evaluator keeps no state between runs.)
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createPreflight } from '../../src/index.js';
import { MIX } from '../../bench/requests.js';

const preflight = createPreflight();
const inputs = Array.from({ length: 600 }, (_, i) => {
  const base = structuredClone(MIX[i % MIX.length]!.input) as { body: Record<string, unknown> };
  // Vary each request a little so that caches are exercised with many keys.
  if (i % 3 === 0) base.body['temperature'] = (i % 10) / 10;
  if (i % 5 === 0) base.body['tools'] = [{ type: i % 2 ? 'web_search' : 'function', function: { name: `f${i}` } }];
  return base;
});
const sequential = inputs.map((i) => JSON.stringify(preflight.check(i)));

describe('concurrency', () => {
  it('interleaved async callers get the same reports as sequential ones', async () => {
    const results = await Promise.all(
      inputs.map(async (input, i) => {
        await new Promise((r) => setTimeout(r, (i * 7) % 5));
        const a = preflight.check(input);
        await Promise.resolve();
        return JSON.stringify(a);
      }),
    );
    expect(results).toEqual(sequential);
  });

  it('worker threads checking in parallel get the same reports', async () => {
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const { createPreflight } = require(workerData.lib);
      const p = createPreflight();
      parentPort.postMessage(workerData.inputs.map((i) => JSON.stringify(p.check(i))));
    `;
    const lib = new URL('../../dist/index.cjs', import.meta.url).pathname;
    const chunks = [0, 1, 2, 3].map((w) => inputs.filter((_, i) => i % 4 === w));
    const outs = await Promise.all(
      chunks.map(
        (chunk) =>
          new Promise<string[]>((resolve, reject) => {
            const worker = new Worker(code, { eval: true, workerData: { lib, inputs: chunk } });
            worker.once('message', resolve);
            worker.once('error', reject);
          }),
      ),
    );
    outs.forEach((out, w) => expect(out).toEqual(sequential.filter((_, i) => i % 4 === w)));
  });
});
