// Below the channel list (in the drawer on phones): the theme toggle and the shortcut list.

import { ThemeToggle } from '../../theme/ThemeToggle.js';
import { Icon } from './icons.js';

export function Preferences({ onShortcuts }: { onShortcuts: () => void }) {
  return (
    <div className="preferences">
      <ThemeToggle />
      <button type="button" className="shortcuts-button" onClick={onShortcuts}>
        <Icon name="keyboard" />
        Keyboard shortcuts <kbd>?</kbd>
      </button>
    </div>
  );
}
