// The console server: `node --import tsx apps/ivr-dashboard/server/main.ts` (npm start and the
// compose `console` service run this); it serves the vite build in dist/apps/ivr-dashboard.
import { fileURLToPath } from 'node:url';
import { loadDashboardConfig } from '../src/config';
import { createConsoleServer } from './console-server';

const config = loadDashboardConfig(process.env);
const root = fileURLToPath(new URL('../../../dist/apps/ivr-dashboard', import.meta.url));
const server = createConsoleServer({ root, ivrNegotiationUrl: config.IVR_NEGOTIATION_URL, collectionsApiUrl: config.COLLECTIONS_API_URL });
server.listen(config.DASHBOARD_PORT, config.HOST, () => {
  process.stdout.write(
    `${JSON.stringify({ level: 'info', service: 'console', msg: `console on http://${config.HOST}:${config.DASHBOARD_PORT}` })}\n`,
  );
});
const stop = () => {
  server.close(() => process.exit(0));
  // Open SSE streams would hold close() forever.
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
