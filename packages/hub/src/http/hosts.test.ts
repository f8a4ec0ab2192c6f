import { describe, expect, it } from 'vitest';
import { hostCheck } from './hosts.js';

describe('hostCheck', () => {
  it('allows the listen address and the localhost names with the port, and nothing else by default', () => {
    const ok = hostCheck({ listenHost: '127.0.0.1', port: 4860 });
    for (const h of ['127.0.0.1:4860', 'localhost:4860', 'LOCALHOST:4860', '[::1]:4860', 'localhost.:4860']) expect(ok(h), h).toBe(true);
    for (const h of [undefined, '', 'localhost', 'localhost:80', 'evil.example:4860', '127.0.0.1:4861', 'localhost.evil.example:4860']) expect(ok(h), String(h)).toBe(false);
  });

  it('allows configured names: without a port on any port, with one on that port', () => {
    const ok = hostCheck({ listenHost: '0.0.0.0', port: 4860, allowed: ['Pilothouse.Example.com', '10.0.0.5:4860', '[fd00::1]:4860'] });
    expect(ok('pilothouse.example.com')).toBe(true);
    expect(ok('pilothouse.example.com:443')).toBe(true);
    expect(ok('10.0.0.5:4860')).toBe(true);
    expect(ok('10.0.0.5:4861')).toBe(false);
    expect(ok('[fd00::1]:4860')).toBe(true);
    expect(ok('0.0.0.0:4860')).toBe(false);
    expect(ok('localhost:4860')).toBe(true);
  });

  it('allows an IPv6 listen address in brackets, and bare names on port 80', () => {
    expect(hostCheck({ listenHost: '::1', port: 4860 })('[::1]:4860')).toBe(true);
    expect(hostCheck({ listenHost: 'fd00::2', port: 4860 })('[fd00::2]:4860')).toBe(true);
    expect(hostCheck({ listenHost: '127.0.0.1', port: 80 })('localhost')).toBe(true);
  });
});
