/** The HTTP decision service: see ./server.ts. */
export { createServer, createRequestListener, DEFAULT_HOST, DEFAULT_MAX_BODY, DEFAULT_PORT } from './server.js';
export type { PreflightServer, ServeOptions } from './server.js';
