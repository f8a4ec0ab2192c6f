// How a moment is written: a row's time (HH:MM today, with the date on other days), the full date
// and time for a hover, and "5 min ago" for lists. Pure: `now` and the locale are passed in.

const DAY = 24 * 60 * 60 * 1000;

const sameDay = (a: Date, b: Date) => a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();

function parse(iso: string): Date | null {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "15:17" today; "12 Mar, 15:17" this year; "12 Mar 2024, 15:17" before. */
export function rowTime(iso: string, now: Date, locale?: string): string {
  const d = parse(iso);
  if (!d) return '';
  const time = d.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  if (sameDay(d, now)) return time;
  const date = d.toLocaleDateString(locale, { day: 'numeric', month: 'short', ...(d.getFullYear() === now.getFullYear() ? {} : { year: 'numeric' }) });
  return `${date}, ${time}`;
}

/** "Tuesday 12 March 2024, 15:17:03": for a title on hover. */
export function fullTime(iso: string, locale?: string): string {
  const d = parse(iso);
  return d ? d.toLocaleString(locale, { dateStyle: 'full', timeStyle: 'medium' }) : '';
}

/** "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago", then the date. */
export function relativeTime(iso: string, now: Date, locale?: string): string {
  const d = parse(iso);
  if (!d) return '';
  const ms = now.getTime() - d.getTime();
  if (ms < 45_000) return 'just now';
  if (ms < 60 * 60_000) return `${Math.max(1, Math.round(ms / 60_000))} min ago`;
  if (sameDay(d, now)) return `${Math.floor(ms / (60 * 60_000))} h ago`;
  if (sameDay(d, new Date(now.getTime() - DAY))) return 'yesterday';
  if (ms < 7 * DAY) return `${Math.ceil(ms / DAY)} days ago`;
  return d.toLocaleDateString(locale, { day: 'numeric', month: 'short', ...(d.getFullYear() === now.getFullYear() ? {} : { year: 'numeric' }) });
}
