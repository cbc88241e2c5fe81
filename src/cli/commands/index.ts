/**
 * Commands beyond check, recommend, matrix, rules and explain, one file each, registered here.
 */
import type { Command } from '../command.js';
import { archCommand } from './arch.js';
import { testCommand } from './test.js';
import { lintCommand } from './lint.js';

import { serve } from './serve.js';

export const EXTRA_COMMANDS: Record<string, Command> = {
  arch: archCommand,
  test: testCommand,
  serve,
  lint: lintCommand,
};
