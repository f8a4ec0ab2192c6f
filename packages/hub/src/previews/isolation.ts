// Which requests a preview refuses because they come from another preview or another site. All
// `*.preview.<domain>` hosts are one site to the browser unless the domain is on the Public Suffix
// List, so SameSite cookies do not keep preview A's page from sending preview B's cookie to B; the
// request itself says where it came from. Pure.
// - RFC 6454 §7 / Fetch: `Origin` names the page that sent a CORS request, a non-GET request and
//   every WebSocket handshake (RFC 6455 §4.1); an Origin that is another preview is refused.
// - W3C Fetch Metadata: `Sec-Fetch-Site` is `same-site` or `cross-site` when the initiator is not
//   this origin (another preview, the parent domain, another site), including after a redirect
//   through another site; such a request is refused, navigations included (the preview's grant
//   link, the only way in from the hub, is exempt: it answers with a same-origin bounce).
// A client that sends neither header (curl, an old browser without Fetch Metadata) is judged by the
// preview cookie alone.

import type { IncomingHttpHeaders } from 'node:http';
import { PilothouseError } from '@pilothouse/protocol';
import type { PreviewOrigin } from './preview-origin.js';

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** The preview id an Origin header names, or null (absent, `null`, not a URL, not a preview). */
function previewOfOrigin(value: string | undefined, origin: PreviewOrigin): string | null {
  if (value === undefined || value === 'null') return null;
  try {
    return origin.match(new URL(value).host);
  } catch {
    return null;
  }
}

/** The error refusing a request to preview `previewId`, or null when it may go on to the grant check. */
export function crossSiteRefusal(headers: IncomingHttpHeaders, previewId: string, origin: PreviewOrigin): PilothouseError | null {
  const from = previewOfOrigin(first(headers.origin), origin);
  if (from !== null && from !== previewId) {
    return new PilothouseError('cross_site_refused', 'Another preview may not send requests to this one. Open each preview from its thread.', { from: 'preview' });
  }
  const site = first(headers['sec-fetch-site']);
  if (site === 'same-site' || site === 'cross-site') {
    return new PilothouseError('cross_site_refused', `A ${site} request may not reach a preview (another preview or another site sent it). Open the preview from its thread.`, { from: site });
  }
  return null;
}
