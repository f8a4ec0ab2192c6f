// The notification centre as a page (/notifications): what phones open from the bell.

import { useEffect } from 'react';
import { ViewHeader } from '../layout/ViewHeader.js';
import { useCentre, useNotifications } from './context.js';
import { NotificationList } from './NotificationList.js';

export function NotificationsView() {
  const centre = useCentre();
  const state = useNotifications(centre);
  useEffect(() => void centre?.refresh(), [centre]);
  return (
    <section className="notifications-view">
      <ViewHeader title="Notifications" />
      {centre && state ? <NotificationList centre={centre} state={state} /> : null}
    </section>
  );
}
