import { SERVICES, ServiceStack, type ServiceName, type StackSecrets } from '@recoup/e2e';
import { RoundRobinProxy } from './round-robin-proxy';

export interface ReplicaStackOptions {
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  secrets: StackSecrets;
  /** Extra environment for every process (the fake providers' base URLs). */
  env?: NodeJS.ProcessEnv;
  replicas?: number;
}

/**
 * Every service twice (or `replicas` times), each replica its own process on its own port, behind one round-robin
 * proxy per service. Everything that addresses a service — the other services, Twilio's webhooks and media streams
 * (PUBLIC_BASE_URL), the links in messages — goes through its proxy, as through a Kubernetes Service, so no request
 * can count on reaching the replica that handled the one before.
 */
export class ReplicaStack {
  private constructor(
    readonly proxies: Record<ServiceName, RoundRobinProxy>,
    readonly replicas: ServiceStack[],
  ) {}

  static async start(options: ReplicaStackOptions): Promise<ReplicaStack> {
    const proxies = {} as Record<ServiceName, RoundRobinProxy>;
    for (const name of SERVICES) proxies[name] = await new RoundRobinProxy(name).start();
    const via = (name: ServiceName) => proxies[name].url;
    const env: NodeJS.ProcessEnv = {
      ...options.env,
      PREDICTION_URL: via('prediction'),
      VOICE_AGENT_URL: via('voice-agent'),
      IVR_NEGOTIATION_URL: via('ivr-negotiation'),
      NOTIFIER_URL: via('notifier'),
      NOTIFIER_PUBLIC_URL: via('notifier'),
      COLLECTIONS_API_URL: via('collections-api'),
      COLLECTIONS_API_PUBLIC_URL: via('collections-api'),
    };
    const serviceEnv = Object.fromEntries(SERVICES.map((name) => [name, { PUBLIC_BASE_URL: via(name) }]));
    const count = options.replicas ?? 2;
    const replicas: ServiceStack[] = [];
    try {
      // One replica set at a time: ten processes compiling at once on two cores only slows each one down.
      for (let i = 0; i < count; i++) {
        replicas.push(
          await ServiceStack.start({
            databaseUrl: options.databaseUrl,
            redisUrl: options.redisUrl,
            queuePrefix: options.queuePrefix,
            secrets: options.secrets,
            env,
            serviceEnv,
            // Generous: on a loaded two-core machine ten tsx processes starting together take minutes.
            healthTimeoutMs: 300_000,
          }),
        );
      }
      await Promise.all(SERVICES.map((name) => proxies[name].setBackends(replicas.map((r) => r.url(name)))));
    } catch (err) {
      await Promise.all(replicas.map((r) => r.stop()));
      await Promise.all(SERVICES.map((name) => proxies[name].stop()));
      throw err;
    }
    return new ReplicaStack(proxies, replicas);
  }

  /** The service as its clients see it: its proxy. */
  url(name: ServiceName): string {
    return this.proxies[name].url;
  }

  /** One replica, directly (bypassing the proxy). */
  replicaUrl(name: ServiceName, replica: number): string {
    return (this.replicas[replica] as ServiceStack).url(name);
  }

  /**
   * SIGTERM one replica, wait for it to drain and exit, start it again on the same port and wait until the proxy sees
   * it ready. Resolves with the exit code of the stopped process (0: a clean drain).
   */
  async restartReplica(name: ServiceName, replica: number): Promise<number | null> {
    const stack = this.replicas[replica] as ServiceStack;
    const exit = await stack.kill(name, 'SIGTERM');
    await stack.startService(name);
    await this.proxies[name].whenReady([replica]);
    return exit?.code ?? null;
  }

  output(name: ServiceName): string {
    return this.replicas.map((r, i) => `--- ${name} replica ${i + 1} ---\n${r.output(name).slice(-6000)}`).join('\n');
  }

  /** Stops every replica (SIGTERM) and the proxies; resolves with the processes that did not exit 0. */
  async stop(): Promise<string[]> {
    const unclean = await Promise.all(this.replicas.map(async (r, i) => (await r.stop()).map((name) => `${name}#${i + 1}`)));
    await Promise.all(SERVICES.map((name) => this.proxies[name].stop()));
    return unclean.flat();
  }
}
