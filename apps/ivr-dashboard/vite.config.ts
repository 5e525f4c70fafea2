import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const workspace = fileURLToPath(new URL('../..', import.meta.url));
/** The ivr-negotiation service the dashboard reads (its /api is proxied, so the browser needs no CORS). */
const target = process.env.IVR_NEGOTIATION_URL || 'http://127.0.0.1:8004';
const port = Number(process.env.DASHBOARD_PORT || 3000);
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
