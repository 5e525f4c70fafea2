import type { JWTPayload, createRemoteJWKSet } from 'jose';

// jose is ESM-only; loading it on first use keeps @recoup/auth importable from CommonJS test
// runners (Jest) in projects that never verify a JWT.
let joseModule: Promise<typeof import('jose')> | undefined;
const loadJose = () => (joseModule ??= import('jose'));

export interface JwtOptions {
  /** JWKS document URL, e.g. Firebase's https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com */
  jwksUrl: string;
  /** Expected `iss`, e.g. https://securetoken.google.com/<project-id> for Firebase ID tokens. */
  issuer: string;
  /** Expected `aud`, e.g. the Firebase project id. */
  audience: string;
  /** Claim carrying the tenant id (a Firebase custom claim); default `tenant_id`. */
  tenantClaim?: string;
  /** Claim carrying the user's role within the tenant; default `role`. */
  roleClaim?: string;
  /** Allowed clock skew in seconds; default 30. */
  clockToleranceSeconds?: number;
}

export interface VerifiedJwt {
  subject: string;
  tenantId: string | undefined;
  role: string | undefined;
  claims: JWTPayload;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export function looksLikeJwt(token: string): boolean {
  return JWT_SHAPE.test(token);
}

/** Verifies bearer JWTs (signature from the JWKS, which jose caches and refreshes; iss, aud, exp, nbf). */
export class JwtVerifier {
  private jwks?: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly options: JwtOptions) {}

  async verify(token: string): Promise<VerifiedJwt> {
    const { createRemoteJWKSet, jwtVerify } = await loadJose();
    this.jwks ??= createRemoteJWKSet(new URL(this.options.jwksUrl), {
      timeoutDuration: 2_000,
      cooldownDuration: 30_000,
      cacheMaxAge: 600_000,
    });
    const { payload } = await jwtVerify(token, this.jwks, {
      issuer: this.options.issuer,
      audience: this.options.audience,
      clockTolerance: this.options.clockToleranceSeconds ?? 30,
      algorithms: ['RS256', 'ES256', 'PS256', 'EdDSA'],
    });
    if (!payload.sub) throw new Error('token has no subject');
    const tenant = payload[this.options.tenantClaim ?? 'tenant_id'];
    const role = payload[this.options.roleClaim ?? 'role'];
    return {
      subject: payload.sub,
      tenantId: typeof tenant === 'string' ? tenant : undefined,
      role: typeof role === 'string' ? role : undefined,
      claims: payload,
    };
  }
}
