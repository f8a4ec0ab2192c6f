// Entry point: mounts the app and registers the service worker. The hub serves the built page
// (packages/hub/src/http/static.ts); /theme.js has set the theme before this runs.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App.js';
import { registerServiceWorker } from './pwa/register.js';
import './styles/theme.css';
import './styles.css';
import './styles/layout.css';
import './styles/icons.css';
import './styles/audit.css';
import './styles/admin.css';
import './styles/notifications.css';
import './styles/machines.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
registerServiceWorker();
