export { ServiceStack, SERVICES, ROOT, newStackSecrets } from './stack';
export { FakeProviders, FAKE_FROM_NUMBER, FAKE_TWILIO_ACCOUNT_SID } from './fake-providers';
export { runCollectionsStory, formatTimeline, stripeSignatureHeader, StoryFailure, STORY_DEBTOR_POSTCODE } from './story';
export type { StoryOptions, StoryResult, TimelineEvent } from './story';
export type { ServiceName, StackOptions, StackSecrets } from './stack';
export { DisposablePostgres } from './disposable-postgres';
export { PersistentRedis } from './persistent-redis';
