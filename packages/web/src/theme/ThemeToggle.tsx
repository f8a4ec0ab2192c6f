// Light / dark / system, as a radio group; the choice is remembered in localStorage and applied
// at once (boot.ts applies it before the first paint of the next load).

import { useId, useState } from 'react';
import { applyTheme, DARK_QUERY, parseChoice, resolveTheme, THEME_CHOICES, THEME_KEY, type ThemeChoice } from './theme.js';

const LABELS: Record<ThemeChoice, string> = { light: 'Light', dark: 'Dark', system: 'System' };

function readChoice(): ThemeChoice {
  try {
    return parseChoice(localStorage.getItem(THEME_KEY));
  } catch {
    return 'system';
  }
}

export function ThemeToggle() {
  const [choice, setChoice] = useState<ThemeChoice>(readChoice);
  const name = useId();
  const choose = (next: ThemeChoice) => {
    setChoice(next);
    try {
      localStorage.setItem(THEME_KEY, next);
    } catch {
      // storage blocked: the choice holds for this page only
    }
    applyTheme(document, resolveTheme(next, window.matchMedia(DARK_QUERY).matches));
  };
  return (
    <fieldset className="theme-toggle">
      <legend>Theme</legend>
      <div className="segments">
        {THEME_CHOICES.map((c) => (
          <label key={c} className={choice === c ? 'on' : ''}>
            <input type="radio" name={name} value={c} checked={choice === c} onChange={() => choose(c)} />
            {LABELS[c]}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
