import { AnthropicIntentClassifier } from './anthropic-classifier';
import { FallbackIntentClassifier, SandboxIntentClassifier } from './fallback-classifier';
import type { IntentClassifier } from './intent.port';
import { LocalIntentClassifier } from './local-classifier';

export interface IntentClassifierConfig {
  mode: 'live' | 'sandbox';
  apiKey?: string;
  model: string;
  baseUrl?: string;
  timeoutMs: number;
  onFallback?: (reason: string, err: unknown) => void;
}

/** Live: Claude with the local classifier behind it. Sandbox: the local classifier alone. */
export function createIntentClassifier(config: IntentClassifierConfig): IntentClassifier {
  const local = new LocalIntentClassifier();
  if (config.mode === 'sandbox' || !config.apiKey) return new SandboxIntentClassifier(local);
  const claude = new AnthropicIntentClassifier({
    apiKey: config.apiKey,
    model: config.model,
    baseUrl: config.baseUrl,
    timeoutMs: config.timeoutMs,
  });
  return new FallbackIntentClassifier(claude, local, { timeoutMs: config.timeoutMs + 250, onFallback: config.onFallback });
}
