import { describe, expect, it } from 'vitest';
import { applyTheme, parseChoice, resolveTheme } from './theme.js';

describe('theme', () => {
  it('reads a stored choice, anything else is "system"', () => {
    expect(['light', 'dark', 'system', null, '', 'blue'].map((s) => parseChoice(s))).toEqual(['light', 'dark', 'system', 'system', 'system', 'system']);
  });

  it('resolves the choice against the system preference', () => {
    expect([resolveTheme('light', true), resolveTheme('dark', false), resolveTheme('system', true), resolveTheme('system', false)]).toEqual(['light', 'dark', 'dark', 'light']);
  });

  it('marks the document and tints the browser UI', () => {
    const metas = [new Map<string, string>(), new Map<string, string>()];
    const doc = {
      documentElement: { dataset: {} as Record<string, string>, style: { colorScheme: '' } },
      querySelectorAll: () => metas.map((m) => ({ setAttribute: (k: string, v: string) => void m.set(k, v) })),
    };
    applyTheme(doc, 'dark');
    expect([doc.documentElement.dataset.theme, doc.documentElement.style.colorScheme, metas.map((m) => m.get('content'))]).toEqual(['dark', 'dark', ['#161a21', '#161a21']]);
  });
});
