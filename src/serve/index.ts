/** The HTTP decision service: see ./server.ts. */
export { createServer, createRequestListener, isLoopbackHost, DEFAULT_HOST, DEFAULT_MAX_BODY, DEFAULT_MAX_YAML_BODY, DEFAULT_PORT } from './server.js';
export type { PreflightServer, ServeOptions } from './server.js';
