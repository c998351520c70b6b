// All an app built with Vite adds for installServiceWorker(): its script (emitted under assets/)
// may control every page of the site. A static host sends the same header for that file.
const headers = { 'Service-Worker-Allowed': '/' };

export default { server: { headers }, preview: { headers } };
