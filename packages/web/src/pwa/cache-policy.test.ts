import { describe, expect, it } from 'vitest';
import { CACHE_PREFIX, staleCaches, strategyFor } from './cache-policy.js';

const origin = 'https://hub.example';
const shell = ['/', '/manifest.webmanifest', '/icons/icon-192.png', '/theme.js'];
const kind = (url: string, mode = 'cors', method = 'GET') => strategyFor({ url, mode, method }, origin, shell).type;

describe('service worker cache policy', () => {
  it('never touches live data, other methods or other origins (previews)', () => {
    expect([
      kind(`${origin}/api/me`),
      kind(`${origin}/api/previews/x`, 'navigate'),
      kind(`${origin}/socket/websocket?vsn=2.0.0`),
      kind(`${origin}/healthz`),
      kind(`${origin}/assets/index-abc.js`, 'cors', 'POST'),
      kind('https://p-1234.preview.hub.example/', 'navigate'),
      kind('https://hub.example:8443/assets/x.js'),
    ]).toEqual(['network', 'network', 'network', 'network', 'network', 'network', 'network']);
  });

  it('loads pages network-first, hashed assets cache-first, other shell files network-first', () => {
    expect([
      kind(`${origin}/c/acme/agents/t/1`, 'navigate'),
      kind(`${origin}/`, 'navigate'),
      kind(`${origin}/assets/index-abc.js`),
      kind(`${origin}/manifest.webmanifest`),
      kind(`${origin}/theme.js`),
      kind(`${origin}/theme.js?x=1`),
      kind(`${origin}/robots.txt`),
    ]).toEqual(['page', 'page', 'immutable', 'shell', 'shell', 'network', 'network']);
  });

  it('finds the caches of older builds, and only ours', () => {
    expect(staleCaches([`${CACHE_PREFIX}old`, `${CACHE_PREFIX}new`, 'someone-else'], `${CACHE_PREFIX}new`)).toEqual([`${CACHE_PREFIX}old`]);
  });
});
