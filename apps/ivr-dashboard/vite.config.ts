import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { loadDashboardConfig } from './src/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const workspace = fileURLToPath(new URL('../..', import.meta.url));
/** The ivr-negotiation service the dashboard reads (its /api is proxied, so the browser needs no CORS). */
const { DASHBOARD_PORT: port, IVR_NEGOTIATION_URL: target } = loadDashboardConfig(process.env);
const proxy = { '/api': { target, changeOrigin: true } };

// `npm run dashboard` serves it on :3000; `nx build ivr-dashboard` writes dist/apps/ivr-dashboard.
export default defineConfig({
  root,
  plugins: [react()],
  resolve: { alias: { '@recoup/contracts': `${workspace}libs/contracts/src/index.ts` } },
  server: { port, host: '127.0.0.1', strictPort: true, proxy },
  preview: { port, host: '127.0.0.1', strictPort: true, proxy },
  build: { outDir: `${workspace}dist/apps/ivr-dashboard`, emptyOutDir: true },
  clearScreen: false,
});
