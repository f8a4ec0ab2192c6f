// What an API token may do: `runner` tokens run agents, `member` tokens act as their user (docs/security.md).
export const TOKEN_SCOPES = ['runner', 'member'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];
