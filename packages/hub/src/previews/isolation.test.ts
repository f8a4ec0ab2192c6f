import { describe, expect, it } from 'vitest';
import { crossSiteRefusal } from './isolation.js';
import { parseOriginTemplate, previewOrigin } from './preview-origin.js';

const origin = previewOrigin(parseOriginTemplate('http://{id}.preview.localhost:{port}'), 4860);
const codeOf = (headers: Record<string, string>) => crossSiteRefusal(headers, 'bbbbbbbb', origin)?.code ?? null;

describe('crossSiteRefusal', () => {
  it('refuses an Origin that is another preview, on any method and on upgrades', () => {
    expect(codeOf({ origin: 'http://aaaaaaaa.preview.localhost:4860' })).toBe('cross_site_refused');
    expect(codeOf({ origin: 'http://AAAAAAAA.preview.localhost:4860', upgrade: 'websocket' })).toBe('cross_site_refused');
  });

  it('refuses same-site and cross-site fetch metadata, navigations included', () => {
    expect(codeOf({ 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'cors' })).toBe('cross_site_refused');
    expect(codeOf({ 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' })).toBe('cross_site_refused');
  });

  it('lets through its own origin, same-origin and user-typed requests, and clients without either header', () => {
    expect(codeOf({ origin: 'http://bbbbbbbb.preview.localhost:4860', 'sec-fetch-site': 'same-origin' })).toBeNull();
    expect(codeOf({ 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate' })).toBeNull();
    expect(codeOf({})).toBeNull();
    expect(codeOf({ origin: 'null' })).toBeNull();
    expect(codeOf({ origin: 'not a url' })).toBeNull();
  });
});
