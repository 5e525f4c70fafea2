import createFetchClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { paths as CollectionsApiPaths } from './generated/collections-api';
import type { paths as IvrNegotiationPaths } from './generated/ivr-negotiation';
import type { paths as NotifierPaths } from './generated/notifier';
import type { paths as PredictionPaths } from './generated/prediction';
import type { paths as VoiceAgentPaths } from './generated/voice-agent';

export type { CollectionsApiPaths, IvrNegotiationPaths, NotifierPaths, PredictionPaths, VoiceAgentPaths };
export type { components as CollectionsApiComponents } from './generated/collections-api';
export type { components as IvrNegotiationComponents } from './generated/ivr-negotiation';
export type { components as VoiceAgentComponents } from './generated/voice-agent';
export type { components as PredictionComponents } from './generated/prediction';

export interface RecoupClientOptions extends Omit<ClientOptions, 'baseUrl'> {
  /** The service's origin, e.g. http://127.0.0.1:8000 (or a path prefix such as /gw in a browser). */
  baseUrl: string;
  /**
   * `Authorization: Bearer <token>`: a tenant API key or JWT, the operator key, or the services' INTERNAL_API_TOKEN,
   * as the route documents. A function is called per request (a token that rotates).
   */
  token?: string | (() => string | undefined);
  /** Sent as X-Tenant-Id (the operator reading one tenant's data). */
  tenantId?: string;
}

function withAuth<P extends object>(options: RecoupClientOptions): Client<P> {
  const { token, tenantId, ...rest } = options;
  const client = createFetchClient<P>(rest);
  if (token || tenantId) {
    client.use({
      onRequest({ request }) {
        const value = typeof token === 'function' ? token() : token;
        if (value && !request.headers.has('authorization')) request.headers.set('Authorization', `Bearer ${value}`);
        if (tenantId && !request.headers.has('x-tenant-id')) request.headers.set('X-Tenant-Id', tenantId);
        return request;
      },
    });
  }
  return client;
}

/** The gateway (collections-api, :8000): tenants, clients, invoices, payments, plans, strategy, escalation. */
export const createCollectionsApiClient = (options: RecoupClientOptions) => withAuth<CollectionsApiPaths>(options);
/** The voice agent (:8003): AI calls (`/initiate-call`, `/call-status/{call_sid}`, `/estimate-cost`). */
export const createVoiceAgentClient = (options: RecoupClientOptions) => withAuth<VoiceAgentPaths>(options);
/** IVR negotiation (:8004): outbound payment-plan calls and their live status. */
export const createIvrClient = (options: RecoupClientOptions) => withAuth<IvrNegotiationPaths>(options);
/** The prediction service (:8001). */
export const createPredictionClient = (options: RecoupClientOptions) => withAuth<PredictionPaths>(options);
/** The notifier (:8005): engagement rates for the prediction features. */
export const createNotifierClient = (options: RecoupClientOptions) => withAuth<NotifierPaths>(options);

export type CollectionsApiClient = ReturnType<typeof createCollectionsApiClient>;
export type VoiceAgentClient = ReturnType<typeof createVoiceAgentClient>;
export type IvrClient = ReturnType<typeof createIvrClient>;

/** A problem+json answer (RFC 9457) as the client returns it in `error`. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  request_id?: string;
  errors?: Array<{ field: string; pointer: string; detail: string }>;
}

/** Throws the problem (with its status and detail in the message) when a call failed; returns `data` otherwise. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || result.data === undefined) {
    const problem = result.error as Partial<Problem> | undefined;
    const message = `${result.response.status} ${problem?.title ?? result.response.statusText}${problem?.detail ? `: ${problem.detail}` : ''}`;
    throw Object.assign(new Error(message), { status: result.response.status, problem });
  }
  return result.data;
}
