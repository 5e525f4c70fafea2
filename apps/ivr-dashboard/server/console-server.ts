import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import path from 'node:path';

/**
 * The console in production and under `npm start`: the built app (vite build) as static files,
 * `/api/...` proxied to ivr-negotiation and `/gw/api/...` to the gateway as `/api/...`, so the
 * browser talks to one origin and needs no CORS. Streams (the calls' SSE) pass through unbuffered.
 */
export interface ConsoleServerOptions {
  /** The vite build output (index.html and assets/). */
  root: string;
  ivrNegotiationUrl: string;
  collectionsApiUrl: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

// Emails are shown in a sandboxed srcdoc iframe, which inherits this policy: their inline styles must
// work, their scripts never run. Letters are shown from a blob: URL of the PDF fetched with the key.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; frame-src 'self' blob:; object-src blob:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

function proxy(req: IncomingMessage, res: ServerResponse, target: URL, pathname: string): void {
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const headers = { ...req.headers, host: target.host };
  const upstream = send(
    { protocol: target.protocol, hostname: target.hostname, port: target.port, method: req.method, path: pathname, headers },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  upstream.on('error', (err) => {
    if (res.headersSent) return res.destroy(err);
    res.writeHead(502, { 'content-type': 'application/problem+json' });
    res.end(JSON.stringify({ type: 'about:blank', title: 'Bad Gateway', status: 502, detail: `console proxy: ${err.message}` }));
  });
  // The browser closing an SSE stream ends the upstream request too.
  res.on('close', () => upstream.destroy());
  req.pipe(upstream);
}

async function serveFile(res: ServerResponse, file: string, immutable: boolean): Promise<boolean> {
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) return false;
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'content-length': info.size,
    // Vite's hashed assets never change; index.html must be re-read to pick up a new build.
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  createReadStream(file).pipe(res);
  return true;
}

export function createConsoleServer(options: ConsoleServerOptions): Server {
  const root = path.resolve(options.root);
  const ivr = new URL(options.ivrNegotiationUrl);
  const gateway = new URL(options.collectionsApiUrl);
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://console.local');
    const { pathname } = url;
    // The console holds no state and no dependency of its own: liveness and readiness are the same answer.
    if (pathname === '/health' || pathname === '/health/live' || pathname === '/health/ready') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ status: 'ok', service: 'console' }));
    }
    if (pathname === '/api' || pathname.startsWith('/api/')) return proxy(req, res, ivr, pathname + url.search);
    if (pathname.startsWith('/gw/')) return proxy(req, res, gateway, pathname.slice(3) + url.search);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' });
      return res.end();
    }
    const file = path.resolve(root, `.${decodeURIComponent(pathname)}`);
    const inside = file === root || file.startsWith(root + path.sep);
    void (async () => {
      if (inside && pathname !== '/' && (await serveFile(res, file, pathname.startsWith('/assets/')))) return;
      // Any other path is a page of the single-page app.
      if (await serveFile(res, path.join(root, 'index.html'), false)) return;
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('The console is not built: run `npx vite build --config apps/ivr-dashboard/vite.config.ts`.\n');
    })().catch((err: Error) => res.destroy(err));
  });
}
