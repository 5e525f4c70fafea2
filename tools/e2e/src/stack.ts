import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { freePort } from '@recoup/testing';

export const ROOT = path.resolve(__dirname, '..', '..', '..');

export const SERVICES = ['collections-api', 'prediction', 'voice-agent', 'ivr-negotiation', 'notifier'] as const;
export type ServiceName = (typeof SERVICES)[number];

const portVar = (name: ServiceName) => `${name.replace(/-/g, '_').toUpperCase()}_PORT`;

/** The secrets `npm start` would generate; a test stack makes its own so it can sign webhooks. */
export interface StackSecrets {
  adminApiKey: string;
  internalApiToken: string;
  twilioAuthToken: string;
  stripeWebhookSecret: string;
}

export interface StackOptions {
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  /** Extra environment for every service (provider base URLs of loopback fakes, feature flags). */
  env?: NodeJS.ProcessEnv;
  /** Per-service extra environment. */
  serviceEnv?: Partial<Record<ServiceName, NodeJS.ProcessEnv>>;
  services?: readonly ServiceName[];
  healthTimeoutMs?: number;
  /** Secrets to use (default: freshly generated); fakes that sign webhooks need them first. */
  secrets?: StackSecrets;
}

export function newStackSecrets(): StackSecrets {
  return {
    adminApiKey: `rk_admin_${randomBytes(24).toString('base64url')}`,
    internalApiToken: randomBytes(24).toString('base64url'),
    twilioAuthToken: randomBytes(16).toString('hex'),
    stripeWebhookSecret: `whsec_${randomBytes(24).toString('base64url')}`,
  };
}

interface Running {
  child: ChildProcess;
  output: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * The platform as separate processes on free ports, exactly as `npm start` runs it (each service's
 * main.ts under tsx), but one process per service so a test can SIGKILL and restart one of them.
 */
export class ServiceStack {
  readonly ports = {} as Record<ServiceName, number>;
  readonly secrets: StackSecrets;
  private readonly running = new Map<ServiceName, Running>();
  private readonly logs = new Map<ServiceName, string>();

  private constructor(private readonly options: StackOptions) {
    this.secrets = options.secrets ?? newStackSecrets();
  }

  static async start(options: StackOptions): Promise<ServiceStack> {
    const stack = new ServiceStack(options);
    for (const name of stack.services) stack.ports[name] = await freePort();
    await Promise.all(stack.services.map((name) => stack.startService(name)));
    return stack;
  }

  get services(): readonly ServiceName[] {
    return this.options.services ?? SERVICES;
  }

  url(name: ServiceName): string {
    return `http://127.0.0.1:${this.ports[name]}`;
  }

  env(name: ServiceName): NodeJS.ProcessEnv {
    const urls: NodeJS.ProcessEnv = {};
    for (const other of this.services) urls[portVar(other)] = String(this.ports[other]);
    // (ports of services this stack does not run are left to their defaults)
    return {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
      DATABASE_URL: this.options.databaseUrl,
      REDIS_URL: this.options.redisUrl,
      QUEUE_PREFIX: this.options.queuePrefix,
      TSX_TSCONFIG_PATH: 'tsconfig.base.json',
      ADMIN_API_KEY: this.secrets.adminApiKey,
      INTERNAL_API_TOKEN: this.secrets.internalApiToken,
      TWILIO_AUTH_TOKEN: this.secrets.twilioAuthToken,
      STRIPE_WEBHOOK_SECRET: this.secrets.stripeWebhookSecret,
      ...this.serviceUrls(name),
      ...urls,
      ...this.options.env,
      ...this.options.serviceEnv?.[name],
      PORT: String(this.ports[name]),
      HOST: '127.0.0.1',
    };
  }

  /** Where each service finds the others (only those this stack runs; the rest keep their defaults). */
  private serviceUrls(self: ServiceName): NodeJS.ProcessEnv {
    const running = (name: ServiceName) => this.services.includes(name);
    const out: NodeJS.ProcessEnv = {
      // Where Twilio and debtors reach this service (its own origin on loopback).
      PUBLIC_BASE_URL: this.url(self),
    };
    if (running('prediction')) out.PREDICTION_URL = this.url('prediction');
    if (running('voice-agent')) out.VOICE_AGENT_URL = this.url('voice-agent');
    if (running('ivr-negotiation')) out.IVR_NEGOTIATION_URL = this.url('ivr-negotiation');
    if (running('notifier')) Object.assign(out, { NOTIFIER_URL: this.url('notifier'), NOTIFIER_PUBLIC_URL: this.url('notifier') });
    if (running('collections-api'))
      Object.assign(out, { COLLECTIONS_API_URL: this.url('collections-api'), COLLECTIONS_API_PUBLIC_URL: this.url('collections-api') });
    return out;
  }

  async startService(name: ServiceName): Promise<void> {
    // E2E_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the services of a run.
    const nodeArgs = (process.env.E2E_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join('apps', name, 'src', 'main.ts')], {
      cwd: ROOT,
      env: this.env(name),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const entry: Running = {
      child,
      output: '',
      exit: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
    };
    const append = (d: Buffer) => {
      entry.output += d.toString();
      this.logs.set(name, (this.logs.get(name) ?? '') + d.toString());
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    this.running.set(name, entry);
    await this.waitHealthy(name, entry);
  }

  private async waitHealthy(name: ServiceName, entry: Running): Promise<void> {
    const deadline = Date.now() + (this.options.healthTimeoutMs ?? 60_000);
    let exited = false;
    void entry.exit.then(() => (exited = true));
    while (Date.now() < deadline) {
      if (exited) throw new Error(`${name} exited during start-up:\n${entry.output.slice(-3000)}`);
      const ok = await fetch(`${this.url(name)}/health`, { signal: AbortSignal.timeout(2_000) })
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${name} not healthy within the deadline:\n${entry.output.slice(-3000)}`);
  }

  /** Everything a service printed since the stack started (across restarts). */
  output(name: ServiceName): string {
    return this.logs.get(name) ?? '';
  }

  /** SIGKILL (default) or another signal; resolves when the process is gone, with how it exited (undefined: not running). */
  async kill(
    name: ServiceName,
    signal: NodeJS.Signals = 'SIGKILL',
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null } | undefined> {
    const entry = this.running.get(name);
    if (!entry || entry.child.exitCode !== null || entry.child.signalCode !== null) return undefined;
    entry.child.kill(signal);
    return entry.exit;
  }

  async restart(name: ServiceName): Promise<void> {
    await this.kill(name, 'SIGKILL');
    await this.startService(name);
  }

  /** SIGTERM every service; resolves with the ones that did not exit 0. */
  async stop(): Promise<string[]> {
    const results = await Promise.all(
      [...this.running.entries()].map(async ([name, entry]) => {
        if (entry.child.exitCode !== null || entry.child.signalCode !== null) return null;
        entry.child.kill('SIGTERM');
        // Past every service's own shutdown budget (SHUTDOWN_TIMEOUT_MS, 10 s by default) with room for a loaded
        // machine stopping many processes at once: a SIGKILL here reads as an unclean stop.
        const timer = setTimeout(() => entry.child.kill('SIGKILL'), 60_000);
        const { code } = await entry.exit;
        clearTimeout(timer);
        return code === 0 ? null : name;
      }),
    );
    return results.filter((n): n is ServiceName => n !== null);
  }
}
