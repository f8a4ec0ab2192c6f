// A person's preferences applied to one notification: which media it goes through, and when
// (quiet hours hold push and email until they end; the page shows everything at once). Pure.

import { defaultPrefs, NotificationPrefs, type NotificationKind, type QuietHours } from '@pilothouse/protocol';

export interface Route {
  readonly page: boolean;
  readonly push: boolean;
  /** The address, when email is on for this kind and the person gave one. */
  readonly email: string | null;
}

/** Stored preferences, or the defaults (a stored value from an older shape falls back per field). */
export function readPrefs(stored: string | null | undefined): NotificationPrefs {
  if (stored === null || stored === undefined) return defaultPrefs();
  const parsed = NotificationPrefs.safeParse({ ...defaultPrefs(), ...(JSON.parse(stored) as object) });
  return parsed.success ? parsed.data : defaultPrefs();
}

export function routeFor(prefs: NotificationPrefs, kind: NotificationKind): Route {
  const m = prefs.media[kind] ?? defaultPrefs().media[kind];
  return { page: m.page, push: m.push, email: m.email ? prefs.email : null };
}

const minutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The wall-clock minute of the day at `at` in `tz`. */
function minuteOfDay(at: Date, tz: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}

/** When the quiet hours around `at` end (the minute `end` starts), or null when `at` is not in them. */
export function quietUntil(quiet: QuietHours | null, at: Date): Date | null {
  if (quiet === null) return null;
  const start = minutes(quiet.start);
  const end = minutes(quiet.end);
  if (start === end) return null;
  const now = minuteOfDay(at, quiet.tz);
  const inside = start < end ? now >= start && now < end : now >= start || now < end;
  if (!inside) return null;
  const wait = (end - now + 1440) % 1440;
  const until = new Date(at.getTime() + wait * 60_000);
  until.setUTCSeconds(0, 0);
  return until;
}
