export { API_KEY_PREFIX, ApiKeyService, generateApiKey, hashApiKey, keyPrefix, looksLikeApiKey, secretsEqual } from './api-keys';
export type { ApiKeyRecord, ApiKeyServiceOptions, IssuedApiKey } from './api-keys';
export { JwtVerifier, looksLikeJwt } from './jwt';
export type { JwtOptions, VerifiedJwt } from './jwt';
export { AuthError, Authenticator, requireAuth, tenantOf } from './middleware';
export type { AuthContext, AuthKind, AuthenticatorOptions, RequireAuthOptions, TenantAuth } from './middleware';
export { KeyRevocations, keyRevocationChannel } from './key-revocations';
export type { KeyRevocation, KeyRevocationEvent, KeyRevocationsOptions } from './key-revocations';
