export { createTwilioClient, describeTwilioError } from './client';
export type { TwilioClient, TwilioCredentials } from './client';
export { isValidTwilioSignature, publicUrlOf, signTwilioRequest, verifyTwilioSignature } from './signature';
export type { TwilioSignatureOptions } from './signature';
