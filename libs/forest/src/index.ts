export { binMatrix, binOf, fitCuts, MAX_VALUE_BINS, MISSING_BIN } from './binning';
export { calibrate, fitPlatt, IDENTITY_CALIBRATION } from './calibration';
export type { PlattCalibration } from './calibration';
export { FeatureEncoder, fitFeatureSpecs, isNumericColumn, orderCategories } from './feature-encoding';
export type { FeatureSpec, RawValue } from './feature-encoding';
export { createForestExecutor, defaultWorkerEntry, ForestWorkerPool, InlineForestExecutor } from './forest-executor';
export type { ForestExecutor, WorkerEntry } from './forest-executor';
export { ForestModel, flattenTrees } from './forest-model';
export type { Explanation, FeatureContribution, ForestModelParts, ForestNodes, ModelInfo } from './forest-model';
export { pathContributionRows, pathContributions, voteShare, voteShares } from './forest-scoring';
export type { ForestArrays } from './forest-scoring';
export { FOREST_WORKER_FLAG, isForestWorkerThread, serveForestWorker } from './forest-worker';
export { brierScore, calibrationTable, logLoss, rocAuc } from './metrics';
export type { CalibrationBin } from './metrics';
export {
  deserializeModel,
  MODEL_FILE_EXTENSION,
  MODEL_FORMAT_VERSION,
  ModelFileError,
  readModelFile,
  serializeModel,
  writeModelFile,
  type SerializeOptions,
} from './model-file';
export { SeededRandom, treeSeed } from './random';
export { trainForest, newModelVersion } from './train-forest';
export type { TrainingSet, TrainOptions } from './train-forest';
export { growTree, inBagCounts } from './tree-grower';
export { sliceRows, syntheticTable } from './test-data';
export type { BinnedTable, GrownTree, TreeParams } from './tree-grower';
