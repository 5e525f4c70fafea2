import { isTimeout } from './anthropic-classifier';
import { MalformedIntentError, type Classification, type IntentClassifier, type IntentContext } from './intent.port';

export interface FallbackOptions {
  /** Hard deadline on the primary, on top of its own client timeout. */
  timeoutMs: number;
  onFallback?: (reason: string, err: unknown) => void;
}

class IntentTimeoutError extends Error {
  override name = 'IntentTimeoutError';
}

/**
 * The primary classifier (Claude) with the local one behind it: on a timeout, an error or a
 * malformed answer the local classifier answers, so a call never hangs, and the result says so.
 */
export class FallbackIntentClassifier implements IntentClassifier {
  readonly name: Classification['classifier'];

  constructor(
    private readonly primary: IntentClassifier,
    private readonly fallback: IntentClassifier,
    private readonly options: FallbackOptions,
  ) {
    this.name = primary.name;
  }

  async classify(utterance: string, context: IntentContext): Promise<Classification> {
    // Nothing was said: no model needed to know that.
    if (!utterance.trim()) return this.fallback.classify(utterance, context);
    let timer: NodeJS.Timeout | undefined;
    try {
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new IntentTimeoutError(`no answer within ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
      });
      return await Promise.race([this.primary.classify(utterance, context), deadline]);
    } catch (err) {
      const reason = isTimeout(err) ? 'timeout' : err instanceof MalformedIntentError ? 'malformed' : 'error';
      this.options.onFallback?.(reason, err);
      const local = await this.fallback.classify(utterance, context);
      return { ...local, fallbackReason: `${this.primary.name} ${reason}` };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Sandbox: the local classifier, labelled as the reason it answered. */
export class SandboxIntentClassifier implements IntentClassifier {
  readonly name = 'local' as const;
  constructor(private readonly local: IntentClassifier) {}
  async classify(utterance: string, context: IntentContext): Promise<Classification> {
    return { ...(await this.local.classify(utterance, context)), fallbackReason: 'sandbox' };
  }
}
