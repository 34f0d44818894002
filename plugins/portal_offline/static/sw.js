/* The portal's service worker (plugins/portal_offline): Workbox's runtime from this site only.
 * The build fills in CONFIG: the runtime's folder, the cache names and the precached shell. */
'use strict';
const CONFIG = /*CONFIG*/{};
importScripts(CONFIG.workbox + 'workbox-sw.js');
workbox.setConfig({ modulePathPrefix: CONFIG.workbox, debug: false });

const HASHED = /\.[0-9a-f]{10}\.[A-Za-z0-9.]+$/;
const sameSite = (url) => url.origin === self.location.origin;

self.skipWaiting();
workbox.core.clientsClaim();
workbox.precaching.cleanupOutdatedCaches();
workbox.precaching.precacheAndRoute(CONFIG.precache);

// pages: the network's copy when there is one, the last copy kept when there is none
workbox.routing.registerRoute(
  ({ request, url }) => request.mode === 'navigate' && sameSite(url),
  new workbox.strategies.NetworkFirst({
    cacheName: CONFIG.caches.pages,
    networkTimeoutSeconds: 8,
    matchOptions: { ignoreSearch: true }, // a search with a query, a journey with open steps: their page
    plugins: [new workbox.expiration.ExpirationPlugin({ maxEntries: CONFIG.pagesKept })]
  })
);
// files named by their bytes never change: from the cache once there
workbox.routing.registerRoute(
  ({ url }) => sameSite(url) && HASHED.test(url.pathname),
  new workbox.strategies.CacheFirst({
    cacheName: CONFIG.caches.assets,
    plugins: [new workbox.expiration.ExpirationPlugin({ maxEntries: 300 })]
  })
);
// the search manifest, open data, QR codes: fresh when possible
workbox.routing.registerRoute(
  ({ url }) => sameSite(url) && /\.(json|svg|geojson)$/.test(url.pathname),
  new workbox.strategies.NetworkFirst({ cacheName: CONFIG.caches.data, networkTimeoutSeconds: 8 })
);
// a page that was never kept: the offline page, which lists the kept ones
workbox.routing.setCatchHandler(async ({ request }) => {
  if (request.destination === 'document') {
    const page = await workbox.precaching.matchPrecache(CONFIG.offline);
    if (page) return page;
  }
  return Response.error();
});
