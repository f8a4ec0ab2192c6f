// @pilothouse/hub/options: the hub's settings that a command line parses and shows (defaults,
// parsers), without loading the server: `pilothouse hub --help` must not start fastify.
export { DEFAULT_PREVIEW_ORIGIN, parseOriginTemplate } from './previews/preview-origin.js';
export { TOKEN_SCOPES, type TokenScope } from './auth/token-scopes.js';
export { DEFAULT_RATE_LIMITS, scaleRateLimits, type RateLimits } from './limits/admission.js';
export { isRetainDays, MAX_RETAIN_DAYS } from './retention/days.js';
export { MIN_METRICS_TOKEN_LENGTH, metricsTokenProblem } from './metrics/token.js';
