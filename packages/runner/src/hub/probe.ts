// Asks the hub who the token belongs to (GET /api/me with `Authorization: Bearer`). A socket whose
// upgrade is refused with 401 only shows the phoenix client an error and a close, so this is how
// the client tells "the token is refused" (final) from "the hub is not there" (retry).
// Each probe uses a fresh connection (no agent): a pooled keep-alive socket to a hub that has
// since restarted would fail the probe for the wrong reason.

import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { PilothouseError } from '@pilothouse/protocol';
import { HubClientError, wireError } from './errors.js';

export type ProbeResult =
  | { type: 'ok' }
  | { type: 'refused'; error: PilothouseError }
  | { type: 'unreachable'; error: HubClientError };

const MAX_BODY = 64 * 1024;
/** How long the preflight and each re-check wait for GET /api/me. */
export const PROBE_TIMEOUT_MS = 5000;

export async function probeHub(baseUrl: string, token: string, timeoutMs: number): Promise<ProbeResult> {
  let res: { status: number; body: string };
  try {
    res = await get(new URL('/api/me', baseUrl), { authorization: `Bearer ${token}` }, timeoutMs);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return { type: 'unreachable', error: new HubClientError('hub_unreachable', `Cannot reach the hub at ${baseUrl}: ${why}.`, undefined, { cause: err }) };
  }
  if (res.status >= 200 && res.status < 300) return { type: 'ok' };
  if (res.status === 401 || res.status === 403) {
    const refused = wireError(parseJson(res.body));
    const code = refused.code === 'internal' ? 'unauthorized' : refused.code;
    return { type: 'refused', error: new PilothouseError(code, `The hub at ${baseUrl} refused the token: ${refused.message}`) };
  }
  return {
    type: 'unreachable',
    error: new HubClientError('hub_unreachable', `The hub at ${baseUrl} answered GET /api/me with HTTP ${res.status}; is this a Pilothouse hub?`, {
      status: res.status,
      body: res.body.slice(0, 500),
    }),
  };
}

function get(url: URL, headers: Record<string, string>, timeoutMs: number): Promise<{ status: number; body: string }> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false, timeout: timeoutMs }, (res: IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < MAX_BODY) body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end();
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null; // not JSON: wireError reports it as an unknown error body
  }
}
