import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { loadDashboardConfig } from './src/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const workspace = fileURLToPath(new URL('../..', import.meta.url));
/** ivr-negotiation (/api) and the gateway (/gw/api → /api), proxied as the console server does, so the browser needs no CORS. */
const { DASHBOARD_PORT: port, IVR_NEGOTIATION_URL: target, COLLECTIONS_API_URL: gateway } = loadDashboardConfig(process.env);
const proxy = {
  '/api': { target, changeOrigin: true },
  '/gw/': { target: gateway, changeOrigin: true, rewrite: (p: string) => p.replace(/^\/gw/, '') },
};

// `npm run dashboard` is the dev server on :3000; `nx build ivr-dashboard` writes dist/apps/ivr-dashboard, which
// server/main.ts serves under `npm start` and docker compose.
export default defineConfig({
  root,
  plugins: [react()],
  resolve: { alias: { '@recoup/contracts': `${workspace}libs/contracts/src/index.ts` } },
  server: { port, host: '127.0.0.1', strictPort: true, proxy },
  preview: { port, host: '127.0.0.1', strictPort: true, proxy },
  build: { outDir: `${workspace}dist/apps/ivr-dashboard`, emptyOutDir: true },
  clearScreen: false,
});
