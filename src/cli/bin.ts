/**
 * The command line's entry point. Under --debug, source maps are turned on before the CLI's code is loaded, so
 * that stack traces name the src/ files and lines rather than the minified bundle; without --debug, start-up
 * pays nothing for them.
 */
import { createRequire } from 'node:module';

if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);
createRequire(import.meta.url)('./cli-main.cjs');
