export { ConfigError, parseEnv } from './env';
export {
  anthropicEnv,
  baseEnv,
  flag,
  openaiEnv,
  port,
  providerSpecs,
  sendgridEnv,
  serviceAuthEnv,
  stannpEnv,
  stripeEnv,
  twilioEnv,
} from './fragments';
export { ProviderConfigError, resolveProviders } from './providers';
export type { ProviderDecision, ProviderMode, ProviderSpec } from './providers';
