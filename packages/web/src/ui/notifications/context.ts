// The page's notification centre, for the bells in the sidebar and in view headers.

import { createContext, useContext, useSyncExternalStore } from 'react';
import type { NotificationCentre } from '../../app/notification-centre.js';
import type { NotificationsState } from '../../state/notifications.js';

export const CentreContext = createContext<NotificationCentre | null>(null);

export function useCentre(): NotificationCentre | null {
  return useContext(CentreContext);
}

const noop = () => () => undefined;
const none = (): null => null;

export function useNotifications(centre: NotificationCentre | null): NotificationsState | null {
  return useSyncExternalStore(centre?.subscribe ?? noop, centre?.getSnapshot ?? none);
}

/** Phones show the centre as a page (/notifications); wider screens as a panel beside the sidebar. */
export const PHONE_QUERY = '(max-width: 720px)';
