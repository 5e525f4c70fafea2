export { createTwilioClient, describeTwilioError } from './client';
export type { TwilioClient, TwilioCredentials } from './client';
export {
  ORIGINAL_URL_HEADER,
  forwardedTwilioHeaders,
  isSignedTwilioUpgrade,
  isValidTwilioSignature,
  publicStreamUrl,
  publicUrlOf,
  signTwilioRequest,
  verifyTwilioSignature,
} from './signature';
export type { TwilioSignatureOptions } from './signature';
export { twilioWebhookEventKey } from './webhook-event-key';
export { TwilioWebhooks } from './twilio-webhooks';
