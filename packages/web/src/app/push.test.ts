import { describe, expect, it } from 'vitest';
import { keyBytes } from './push.js';

describe('push key', () => {
  it('decodes a base64url VAPID key without padding into its bytes', () => {
    const bytes = Uint8Array.from({ length: 65 }, (_, i) => (i * 37 + 4) % 256);
    const b64url = btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    expect(b64url).not.toContain('=');
    expect([...keyBytes(b64url)]).toEqual([...bytes]);
  });
});
