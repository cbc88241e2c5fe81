/** lint: the library function, its result's shape and exit code. */
export { lint, countLint, exitCodeOfLint, tooManyWarnings } from './lint.js';
export { expandPaths, REQUEST_FILE_GLOB } from './files.js';
export { fileErrorsOf } from './types.js';
export type { LintCounts, LintEntry, LintFileError, LintFinding, LintOptions, LintPosition, LintResult, LintSuppressedFinding } from './types.js';
