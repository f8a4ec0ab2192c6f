// The colour theme: what the person chose (light, dark or system, kept in localStorage) and what
// the page shows. One module for both the pre-paint script (boot.ts, built to /theme.js) and the
// toggle, so the key and the rule live in one place. Pure but for `applyTheme`, which takes the
// document it writes to.

export const THEME_CHOICES = ['light', 'dark', 'system'] as const;
export type ThemeChoice = (typeof THEME_CHOICES)[number];
export type Theme = 'light' | 'dark';

export const THEME_KEY = 'pilothouse.theme';

/** Browser UI colour (address bar, PWA title bar) per theme: the header's panel colour. */
export const THEME_COLORS: Record<Theme, string> = { light: '#ffffff', dark: '#161a21' };

export function parseChoice(stored: string | null): ThemeChoice {
  return (THEME_CHOICES as readonly string[]).includes(stored ?? '') ? (stored as ThemeChoice) : 'system';
}

export function resolveTheme(choice: ThemeChoice, systemDark: boolean): Theme {
  switch (choice) {
    case 'light':
    case 'dark':
      return choice;
    case 'system':
      return systemDark ? 'dark' : 'light';
  }
}

export interface ThemeTarget {
  documentElement: { dataset: DOMStringMap; style: { colorScheme: string } };
  querySelectorAll(selector: string): Iterable<{ setAttribute(name: string, value: string): void }>;
}

/** Marks the page with the theme (styles/theme.css keys on data-theme) and tints the browser UI. */
export function applyTheme(doc: ThemeTarget, theme: Theme): void {
  doc.documentElement.dataset.theme = theme;
  doc.documentElement.style.colorScheme = theme;
  for (const meta of doc.querySelectorAll('meta[name="theme-color"]')) meta.setAttribute('content', THEME_COLORS[theme]);
}

export const DARK_QUERY = '(prefers-color-scheme: dark)';
