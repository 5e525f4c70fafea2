// Entry of a forest worker thread when running from TypeScript sources (tsx, Jest).
import { serveForestWorker } from './forest-worker';

serveForestWorker();
