// @pilothouse/hub: the self-hostable server. The CLI starts it and runs admin commands on its store.
export { startHub, SOCKET_PATH, DEFAULT_WEB_ROOT, type HubConfig, type RunningHub } from './hub.js';
export { Store, TOKEN_SCOPES, type StoreConfig, type User, type TokenInfo, type TokenScope } from './store/store.js';
export { hashPassword, newToken, digest } from './auth/secrets.js';
export { createSignInLink, SIGN_IN_CODE_TTL_MS, type SignInLink } from './http/sign-in-link.js';
export { DEFAULT_PREVIEW_ORIGIN, parseOriginTemplate } from './previews/preview-origin.js';
export { DEFAULT_RATE_LIMITS, scaleRateLimits, type RateLimits } from './limits/admission.js';
export { backupSqlite, restoreSqlite, type BackupResult, type RestoreResult } from './store/backup.js';
