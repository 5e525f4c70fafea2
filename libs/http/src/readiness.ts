import type { Express } from 'express';

/**
 * Whether this process should be sent new work. `/health` is liveness (the process and its dependencies answer);
 * `/health/ready` is readiness, and it fails as the first step of a shutdown, before the listener closes, so a load
 * balancer or Kubernetes stops routing to a replica that is draining while its live calls and jobs finish.
 */
export class Readiness {
  private drainingSince?: Date;

  /** From now on `/health/ready` answers 503 (`checks.draining: "down"`). */
  drain(): void {
    this.drainingSince ??= new Date();
  }

  get draining(): boolean {
    return this.drainingSince !== undefined;
  }
}

/** The Readiness of an app made by createHttpApp (startService fails it on SIGTERM). */
export function readinessOf(app: Express): Readiness | undefined {
  const value: unknown = app.locals.readiness;
  return value instanceof Readiness ? value : undefined;
}
