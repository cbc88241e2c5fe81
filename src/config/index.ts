/**
 * Configuration and overlays: `.bedrock-preflight.yaml` found upward or given with --config, the overlays it
 * extends, and the policy (organisation rules, severity overrides, ignores) it applies.
 */
export { CONFIG_FILE_NAMES, CONFIG_FLAGS_HELP, CONFIG_OPTIONS, findConfigFile, loadConfig, resolveConfigForCli, type LoadConfigOptions } from './load.js';
export { applyPolicy, applyPolicyToReport, checkWithConfig, endpointFor, policyOf, preflightFor, type PolicyCheckReport } from './policy.js';
export { formatSuppressedText } from './format.js';
export { ConfigError } from './errors.js';
export type { ApplyPolicy, CellOverride, EndpointMapping, Ignore, OrgRule, ResolvedConfig, SeverityOverride, SuppressedFinding } from './types.js';
