// The centre's list, in the sidebar's panel and on the /notifications page: newest first, each
// item its title, the start of its body, channel and time, an unread dot, and prompts already
// settled muted. Choosing an item marks it read and opens its thread.

import type { NotificationItem } from '@pilothouse/protocol';
import type { NotificationCentre } from '../../app/notification-centre.js';
import { NOTIFICATION_PREFS_PATH } from '../../app/route.js';
import type { NotificationsState } from '../../state/notifications.js';
import { Link } from '../Link.js';
import { Time } from '../Time.js';

function Item({ item, centre }: { item: NotificationItem; centre: NotificationCentre }) {
  return (
    <li className="notification" data-notification-id={item.id} data-kind={item.kind} data-read={item.read} data-resolved={item.resolved}>
      <a
        href={item.path}
        onClick={(e) => {
          if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
          e.preventDefault();
          centre.open(item);
        }}
      >
        <span className="notification-title">
          {item.read ? null : <span className="unread-dot" aria-label="unread" />}
          <span className="notification-title-text">{item.title}</span>
        </span>
        {item.body ? <span className="notification-body">{item.body}</span> : null}
        <span className="notification-meta">
          <span className="notification-channel">{item.channel}</span>
          <Time iso={item.created_at} relative />
          {item.resolved ? <span className="chip notification-settled">settled</span> : null}
        </span>
      </a>
    </li>
  );
}

export function NotificationList({ centre, state }: { centre: NotificationCentre; state: NotificationsState }) {
  return (
    <div className="notifications-body">
      <div className="notifications-actions">
        <button type="button" onClick={() => void centre.readAll()} disabled={state.unread === 0}>
          Mark all read
        </button>
        <Link to={NOTIFICATION_PREFS_PATH} className="notifications-prefs-link">
          Notification settings
        </Link>
      </div>
      {state.error !== null ? (
        <p className="refused" role="alert" data-notifications-error="">
          {state.error}
        </p>
      ) : null}
      {state.items.length > 0 ? (
        <ul className="notification-list">
          {state.items.map((i) => (
            <Item key={i.id} item={i} centre={centre} />
          ))}
        </ul>
      ) : state.loaded ? (
        <p className="placeholder notifications-empty">Nothing yet. Approvals waiting for you, mentions and finished turns show up here.</p>
      ) : (
        <p className="placeholder">Loading…</p>
      )}
      {state.nextBefore !== null ? (
        <button type="button" className="notifications-older" onClick={() => void centre.older()}>
          Load older
        </button>
      ) : null}
    </div>
  );
}
