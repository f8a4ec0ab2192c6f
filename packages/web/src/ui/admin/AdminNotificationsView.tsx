// Notifications for admins (/admin/notifications): the deliveries (failed ones to send again) and
// each channel's webhooks. The hub refuses both APIs to members; the page says so without asking.

import { ViewHeader } from '../layout/ViewHeader.js';
import { DeliveriesPanel } from './DeliveriesPanel.js';
import { WebhooksPanel } from './WebhooksPanel.js';

export function AdminNotificationsView({ admin, channels }: { admin: boolean; channels: readonly string[] }) {
  const header = <ViewHeader title="Deliveries & webhooks" />;
  if (!admin) {
    return (
      <section className="audit admin-notifications">
        {header}
        <p className="refused" role="alert" data-admin-error="forbidden">
          Admins only: webhooks and deliveries are managed by this hub’s admins.
        </p>
      </section>
    );
  }
  return (
    <section className="audit admin-notifications">
      {header}
      <div className="audit-body admin-body">
        <DeliveriesPanel />
        <WebhooksPanel channels={channels} />
      </div>
    </section>
  );
}
