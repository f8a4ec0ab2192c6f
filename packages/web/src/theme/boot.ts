// Runs before the first paint, as a classic blocking script in <head> (/theme.js, built by
// build/classic-scripts.ts; the page's CSP allows no inline script): applies the remembered theme,
// and follows the system while the choice is "system".

import { applyTheme, DARK_QUERY, parseChoice, resolveTheme, THEME_KEY } from './theme.js';

function stored(): string | null {
  try {
    return localStorage.getItem(THEME_KEY);
  } catch {
    return null; // storage blocked (privacy mode): the system decides
  }
}

const media = window.matchMedia(DARK_QUERY);
const apply = () => applyTheme(document, resolveTheme(parseChoice(stored()), media.matches));
apply();
media.addEventListener('change', apply);
// Another tab changed the choice.
window.addEventListener('storage', (e) => {
  if (e.key === THEME_KEY) apply();
});
