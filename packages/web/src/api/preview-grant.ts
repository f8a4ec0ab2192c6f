// The one-time link to a preview's origin (docs/protocol.md §11), apart from api/http.ts so the
// sign-in page does not load the protocol's schemas.

import { PreviewGrantReply } from '@pilothouse/protocol';
import { call } from './http.js';

/** A link that signs this browser in to one preview's origin, valid once and briefly: open it at once. */
export const grantPreview = (previewId: string, next = '/'): Promise<PreviewGrantReply> =>
  call(PreviewGrantReply, 'POST', `/api/previews/${encodeURIComponent(previewId)}/grant`, { next });
