import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** One replica behind the proxy, with what the proxy sent it. */
export interface Backend {
  url: URL;
  /** Answered `/health/ready` 200 at the last probe (a draining replica answers 503, a stopped one not at all). */
  ready: boolean;
  requests: number;
  upgrades: number;
}

/** What the proxy forwarded where (for tests that check which replica handled what). */
export interface Forwarded {
  backend: number;
  method: string;
  path: string;
  upgrade: boolean;
}

export interface RoundRobinProxyOptions {
  /** How often each backend's `/health/ready` is probed (the load balancer's readiness check). */
  probeIntervalMs?: number;
}

/**
 * A small load balancer on loopback, as a Kubernetes Service or haproxy would be in front of replicas: round robin
 * over the backends that answer `/health/ready`, HTTP (streamed, so SSE works) and WebSocket upgrades (Twilio's media
 * streams), and a connection refused is retried on the next replica (nothing was sent, so even a POST is safe to
 * retry; like nginx's `proxy_next_upstream error`). A test may pin a request to one replica with `route`.
 */
export class RoundRobinProxy {
  readonly backends: Backend[] = [];
  readonly forwarded: Forwarded[] = [];
  /** Pins a request to a backend (its index); undefined keeps round robin. */
  route?: (req: IncomingMessage) => number | undefined;
  private server?: Server;
  private next = 0;
  private probeTimer?: NodeJS.Timeout;
  private readonly sockets = new Set<Socket | Duplex>();

  constructor(
    readonly name: string,
    private readonly options: RoundRobinProxyOptions = {},
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.forward(req, res));
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  /** Sets the replicas and starts probing their readiness; resolves once each has answered ready. */
  async setBackends(urls: string[]): Promise<void> {
    this.backends.splice(0, this.backends.length, ...urls.map((u) => ({ url: new URL(u), ready: false, requests: 0, upgrades: 0 })));
    clearInterval(this.probeTimer);
    this.probeTimer = setInterval(() => void this.probe(), this.options.probeIntervalMs ?? 100);
    this.probeTimer.unref();
    await this.whenReady(this.backends.map((_, i) => i));
  }

  /** Resolves once every backend in `indexes` answers `/health/ready` 200. */
  async whenReady(indexes: number[], timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.probe();
      if (indexes.every((i) => this.backends[i]?.ready)) return;
      if (Date.now() > deadline) throw new Error(`${this.name}: replicas ${indexes.join(', ')} not ready within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private async probe(): Promise<void> {
    await Promise.all(
      this.backends.map(async (b) => {
        b.ready = await fetch(new URL('/health/ready', b.url), { signal: AbortSignal.timeout(2_000) })
          .then(async (r) => {
            await r.arrayBuffer();
            return r.status === 200;
          })
          .catch(() => false);
      }),
    );
  }

  /** The order in which to try backends for this request: the pinned one, else ready ones round robin. */
  private candidates(req: IncomingMessage): number[] {
    const pinned = this.route?.(req);
    if (pinned !== undefined) return [pinned];
    const n = this.backends.length;
    const start = this.next++ % n;
    const order = Array.from({ length: n }, (_, k) => (start + k) % n);
    const ready = order.filter((i) => this.backends[i]?.ready);
    // None ready (all restarting at once): try them all rather than fail at once.
    return ready.length > 0 ? ready : order;
  }

  private async forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const path = req.url ?? '/';
    for (const index of this.candidates(req)) {
      const backend = this.backends[index] as Backend;
      const outcome = await new Promise<'sent' | 'refused'>((resolve) => {
        const upstream = httpRequest(
          { host: backend.url.hostname, port: backend.url.port, method: req.method, path, headers: req.headers, agent: false },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
            resolve('sent');
          },
        );
        let connected = false;
        upstream.on('socket', (s) => s.once('connect', () => (connected = true)));
        upstream.on('error', (err: NodeJS.ErrnoException) => {
          if (!connected && (err.code === 'ECONNREFUSED' || err.code === 'ECONNRESET')) {
            backend.ready = false;
            resolve('refused');
            return;
          }
          if (!res.headersSent) res.writeHead(502);
          res.end();
          resolve('sent');
        });
        // A client gone (an SSE reader that stopped) ends the upstream request too.
        res.once('close', () => upstream.destroy());
        upstream.end(body);
      });
      if (outcome === 'sent') {
        backend.requests++;
        this.forwarded.push({ backend: index, method: req.method ?? 'GET', path, upgrade: false });
        return;
      }
    }
    res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`${this.name}: no replica accepted the connection`);
  }

  private upgrade(req: IncomingMessage, client: Duplex, head: Buffer): void {
    const order = this.candidates(req);
    const attempt = (k: number) => {
      const index = order[k];
      if (index === undefined) {
        client.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\n');
        return;
      }
      const backend = this.backends[index] as Backend;
      const upstream = connect(Number(backend.url.port), backend.url.hostname);
      upstream.once('error', () => {
        backend.ready = false;
        attempt(k + 1);
      });
      upstream.once('connect', () => {
        upstream.removeAllListeners('error');
        backend.upgrades++;
        this.forwarded.push({ backend: index, method: req.method ?? 'GET', path: req.url ?? '/', upgrade: true });
        this.sockets.add(upstream);
        upstream.once('close', () => this.sockets.delete(upstream));
        const lines = [`${req.method} ${req.url} HTTP/1.1`];
        for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
        upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
        if (head.length > 0) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
        const close = () => {
          upstream.destroy();
          client.destroy();
        };
        upstream.on('error', close);
        client.on('error', close);
        upstream.once('close', close);
        client.once('close', close);
      });
    };
    attempt(0);
  }

  async stop(): Promise<void> {
    clearInterval(this.probeTimer);
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
