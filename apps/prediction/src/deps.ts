import { Authenticator, KeyRevocations, keyRevocationChannel } from '@recoup/auth';
import type { ProviderDecision } from '@recoup/config';
import { createForestExecutor, type ForestExecutor } from '@recoup/forest';
import { closeRedis, createRedis, type Redis } from '@recoup/queue';
import { createCoreDeps, type CoreDeps } from '@recoup/runtime';
import { SERVICE, type Config } from './config';
import { ModelRegistry } from './model/model-registry';
import { ModelStore, modelChannel } from './model/model-store';
import { PredictionService } from './model/prediction-service';
import { TrainingQueue } from './training/training-queue';

export interface Deps extends CoreDeps {
  config: Readonly<Config>;
  models: ModelRegistry;
  /** Trained models in PostgreSQL, announced to every replica over Redis. */
  modelStore: ModelStore;
  predictions: PredictionService;
  executor: ForestExecutor;
  training: TrainingQueue;
  /** Tenant API keys and the admin key; revoked and rotated keys are heard from every service of the stack. */
  authenticator: Authenticator;
  revocations: KeyRevocations;
  workerRedis: Redis;
}

/** Every adapter this service uses, made here with `new`. */
export function buildDeps(config: Readonly<Config>, providers: ProviderDecision[]): Deps {
  const core = createCoreDeps(SERVICE, config, providers);
  // One subscriber connection per process: it hears key revocations and model announcements.
  const subscriberRedis = createRedis(config.REDIS_URL, 'worker', core.logger);
  const modelStore = new ModelStore(core.db, core.logger, {
    publisher: core.redis,
    subscriber: subscriberRedis,
    channel: modelChannel(config.QUEUE_PREFIX),
  });
  const models = new ModelRegistry(config.MODEL_DIR, core.logger, modelStore);
  const executor = createForestExecutor({ threads: config.PREDICTION_THREADS });
  const workerRedis = createRedis(config.REDIS_URL, 'worker', core.logger);
  const training = new TrainingQueue({
    prefix: config.QUEUE_PREFIX,
    producer: core.redis,
    workerConnection: workerRedis,
    db: core.db,
    registry: models,
    executor,
    minRows: config.PREDICTION_MIN_TRAINING_ROWS,
    logger: core.logger,
  });
  // Revoked and rotated keys are announced to every service (and heard here): libs/auth README.
  const revocations = new KeyRevocations({
    publisher: core.redis,
    subscriber: subscriberRedis,
    channel: keyRevocationChannel(config.QUEUE_PREFIX),
    logger: core.logger,
  });
  const authenticator = new Authenticator({ db: core.db, adminApiKey: config.ADMIN_API_KEY, keys: { revocations } });
  // Without a model the service cannot do its one job: say so on /health.
  core.health.model = async () => {
    if (!models.current()) throw new Error(`no model stored in prediction_models nor in ${config.MODEL_DIR}`);
  };
  return {
    ...core,
    config,
    models,
    modelStore,
    predictions: new PredictionService(models, executor),
    executor,
    training,
    authenticator,
    revocations,
    workerRedis,
    async close() {
      await training.close();
      await executor.close();
      models.close();
      await modelStore.close();
      await revocations.close();
      await closeRedis(subscriberRedis);
      await closeRedis(workerRedis);
      await core.close();
    },
  };
}
