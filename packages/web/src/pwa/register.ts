// Registers the service worker (sw.ts, served as /sw.js from the root so it controls every page).
// Production builds only: the dev server has no /sw.js, and a worker would cache its modules.

export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((err: unknown) => {
      // Not fatal: the page works without it, only not offline or from the home screen.
      console.warn('service worker not registered', err);
    });
  });
}
