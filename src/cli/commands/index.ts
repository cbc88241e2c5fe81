/**
 * Commands beyond check, recommend, matrix, rules and explain, one file each, registered here.
 */
import type { Command } from '../command.js';

export const EXTRA_COMMANDS: Record<string, Command> = {};
