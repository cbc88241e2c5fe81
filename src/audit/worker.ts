/** A worker thread of `audit`: audits each file it is sent and posts back progress and the file's report. */
import { parentPort } from 'node:worker_threads';
import { createPreflight } from '../preflight.js';
import { auditFile } from './run.js';

const preflight = createPreflight();
parentPort!.on('message', (file: string) => {
  void auditFile(file, preflight, (progress) => parentPort!.postMessage({ progress })).then((report) => parentPort!.postMessage({ report }));
});
