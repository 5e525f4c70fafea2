export type ProviderMode = 'live' | 'sandbox';

export interface ProviderSpec {
  /** Name shown in logs and /health, e.g. "twilio". */
  name: string;
  /** The explicit choice, e.g. config.TWILIO_MODE. */
  mode: ProviderMode | undefined;
  /** Credentials that identify the account; their presence is what makes a provider live by default. */
  credentials: Record<string, string | undefined>;
  /**
   * Also needed to go live, but not evidence that live was intended: a webhook secret such as
   * TWILIO_AUTH_TOKEN is set in sandbox mode too, to verify inbound signatures.
   */
  alsoNeeds?: Record<string, string | undefined>;
}

export interface ProviderDecision {
  name: string;
  mode: ProviderMode;
  /** Why this mode: explicit, or inferred from which credentials are present. */
  reason: string;
}

export class ProviderConfigError extends Error {}

/**
 * Decides live or sandbox per provider. Live needs every credential; with none and no explicit
 * choice the provider is sandboxed. Production refuses an *inferred* sandbox (a forgotten secret
 * must not silently stop real messages) but accepts an explicit `<NAME>_MODE=sandbox`.
 */
export function resolveProviders(specs: ProviderSpec[], nodeEnv: string): ProviderDecision[] {
  const problems: string[] = [];
  const decisions = specs.map((spec): ProviderDecision => {
    const missing = Object.entries(spec.credentials)
      .filter(([, v]) => !v)
      .map(([k]) => k);
    const missingForLive = [
      ...missing,
      ...Object.entries(spec.alsoNeeds ?? {})
        .filter(([, v]) => !v)
        .map(([k]) => k),
    ];
    const upper = spec.name.toUpperCase();
    if (spec.mode === 'live') {
      if (missingForLive.length > 0) problems.push(`${upper}_MODE=live needs ${missingForLive.join(', ')}`);
      return { name: spec.name, mode: 'live', reason: 'explicit' };
    }
    if (spec.mode === 'sandbox') return { name: spec.name, mode: 'sandbox', reason: 'explicit' };
    if (missing.length === 0) {
      if (missingForLive.length > 0) problems.push(`${spec.name} credentials incomplete: missing ${missingForLive.join(', ')}`);
      return { name: spec.name, mode: 'live', reason: 'credentials present' };
    }
    const present = Object.keys(spec.credentials).length - missing.length;
    if (present > 0) problems.push(`${spec.name} credentials incomplete: missing ${missing.join(', ')}`);
    else if (nodeEnv === 'production') problems.push(`${spec.name} has no credentials; set ${upper}_MODE=sandbox to run without it`);
    return { name: spec.name, mode: 'sandbox', reason: `no credentials (${missing.join(', ')})` };
  });
  if (problems.length > 0) throw new ProviderConfigError(`provider configuration: ${problems.join('; ')}`);
  return decisions;
}
