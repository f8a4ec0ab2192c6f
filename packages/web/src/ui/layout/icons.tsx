// The few line icons the page's frame uses (menu, back, details, close, keyboard, bell, the agents' marks): a span masked
// with the icon's shape (styles/icons.css), so it follows the text colour and the DOM holds no
// <svg> (the e2e inertness checks treat any svg in a view as suspect). Decorative: the button
// around each carries the accessible name.

export type IconName = 'menu' | 'back' | 'details' | 'close' | 'keyboard' | 'agent' | 'agent-codex' | 'agent-claude' | 'agent-gemini' | 'bell';

export function Icon({ name }: { name: IconName }) {
  return <span className={`icon icon-${name}`} aria-hidden="true" />;
}
