/**
 * vitest globalSetup: the Chromium the browser tests drive (with playwright-core). The system's /usr/bin/chromium
 * where there is one, else the binary the @sparticuz/chromium package ships, unpacked once here (before the test
 * files run in parallel) so that nothing has to be installed by hand.
 */
import { accessSync, constants, statSync } from 'node:fs';
import type { TestProject } from 'vitest/node';

export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

declare module 'vitest' {
  export interface ProvidedContext {
    chromium: { executablePath: string; args: string[] };
  }
}

/** Flags for a headless run that makes no request of its own. */
const QUIET = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Whether `path` is an executable file (not a placeholder such as a device node mounted over it). */
function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export default async function provideChromium(project: TestProject): Promise<void> {
  if (isExecutableFile(SYSTEM_CHROMIUM)) {
    project.provide('chromium', { executablePath: SYSTEM_CHROMIUM, args: QUIET });
    return;
  }
  const { default: packaged } = await import('@sparticuz/chromium');
  const executablePath = await packaged.executablePath();
  project.provide('chromium', { executablePath, args: [...new Set([...packaged.args, ...QUIET])] });
}
