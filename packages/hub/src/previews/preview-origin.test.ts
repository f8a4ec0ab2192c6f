import { describe, expect, it } from 'vitest';
import { DEFAULT_PREVIEW_ORIGIN, parseOriginTemplate, previewOrigin } from './preview-origin.js';

describe('preview origin', () => {
  it('the default template binds to the listen port and matches exact hosts only', () => {
    const origin = previewOrigin(parseOriginTemplate(DEFAULT_PREVIEW_ORIGIN), 4860);
    expect(origin.originOf('abc12345')).toBe('http://abc12345.preview.localhost:4860');
    expect(origin.match('abc12345.preview.localhost:4860')).toBe('abc12345');
    expect(origin.match('ABC12345.Preview.Localhost:4860')).toBe('abc12345');
    for (const host of [
      undefined,
      '',
      'localhost:4860',
      'preview.localhost:4860',
      '.preview.localhost:4860',
      'abc12345.preview.localhost',
      'abc12345.preview.localhost:4861',
      'abc12345.preview.localhost:4860.evil.example',
      'x.abc12345.preview.localhost:4860',
      'abc12345.preview.localhost.evil.example:4860',
      'abc_1234.preview.localhost:4860',
      'short.preview.localhost:4860',
      'evil.example',
    ]) {
      expect(origin.match(host), String(host)).toBeNull();
    }
  });

  it('a production template without a port accepts the scheme default, written or not', () => {
    const origin = previewOrigin(parseOriginTemplate('https://{id}.preview.example.com'), 4860);
    expect(origin.scheme).toBe('https');
    expect(origin.originOf('abc12345')).toBe('https://abc12345.preview.example.com');
    expect(origin.match('abc12345.preview.example.com')).toBe('abc12345');
    expect(origin.match('abc12345.preview.example.com:443')).toBe('abc12345');
    expect(origin.match('abc12345.preview.example.com:4860')).toBeNull();
  });

  it('a prefix label and a fixed port work too', () => {
    const origin = previewOrigin(parseOriginTemplate('http://pv-{id}.dev.test:8080/'), 1);
    expect(origin.originOf('abc12345')).toBe('http://pv-abc12345.dev.test:8080');
    expect(origin.match('pv-abc12345.dev.test:8080')).toBe('abc12345');
  });

  it('refuses templates that would not isolate previews', () => {
    for (const bad of ['preview.example.com', 'http://preview.example.com', 'http://{id}', 'http://{id}{id}.x.com', 'http://{id}-x.com', 'http://{id}.', 'ftp://{id}.x.com', 'http://{id}.x.com/path', 'http://{id}.x.com:99999']) {
      expect(() => parseOriginTemplate(bad), bad).toThrow(/previewOrigin/);
    }
  });
});
