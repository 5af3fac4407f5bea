/**
 * @ccl/experiments: experiments over the ccl libraries. One config to a Trainer (buildExperiment), the final
 * test of a run folder, teacher feature extraction, teacher pre-training, and the synthetic audio-visual
 * benchmark and demo (runSyntheticExperiment with its method plans and presets).
 */
export { buildExperiment, dataOf, studentFor } from './build-experiment';
export type { Experiment, ExperimentResources } from './build-experiment';
export { loadWeights, weightsEncoderSpec } from './load-encoder';
export { evaluateRunFolder, formatRunEvaluation, summarizeRunEvaluation } from './evaluate-run-folder';
export type { RunEvaluationSummary } from './evaluate-run-folder';
export { trainFromConfigFile } from './train-from-config';
export { gitRevision } from './provenance';
export type { TrainFromConfigOptions } from './train-from-config';
export { exportStudent, STUDENT_EXPORT_FILE, STUDENT_EXPORT_FORMAT } from './export/export-student';
export type { ExportStudentOptions, StudentClipSpec, StudentExport } from './export/export-student';
export { extractTeacherFeatures } from './features/extract-teacher-features';
export type { TeacherFeatureExtraction, TeacherFeatureReport } from './features/extract-teacher-features';
export { openFeatureTeacher, preparedSamples, resolveFeatureTeacher } from './features/feature-teacher';
export type { FeatureTeacherSpec } from './features/feature-teacher';
export { evenFrames, fitLength, fixedLengthAudio, segmentedAudio, teacherInput } from './features/teacher-inputs';
export type { ClipInput } from './features/teacher-inputs';
export { classifierAccuracy, trainClassifier } from './teachers/classifier';
export type { ClassifierTraining } from './teachers/classifier';
export { audioTeacherSpec, imageTeacherSpec, pretrainAudioTeacher, pretrainImageTeacher, saveTeacher } from './teachers/pretrain';
export type { PretrainedTeacher, TeacherSpec } from './teachers/pretrain';
export { checkSameStudentPerSeed, runSyntheticExperiment } from './synthetic/experiment';
export { BENCH_FILE_SCHEMA, compareBenchOutcomes } from './synthetic/bench-file';
export type { BenchComparisons, BenchFile, BenchPart } from './synthetic/bench-file';
export { formatMergedBench, mergeBenchFiles, mergeBenchFileSet, readBenchFile } from './synthetic/merge-bench';
export { benchSeedList, formatBenchSeeds, parseBenchSeeds } from './synthetic/bench-seeds';
export type { BenchFilePart } from './synthetic/merge-bench';
export { DEMO_DEFAULTS } from './synthetic/options';
export type { BenchRunId, ExperimentRow, SyntheticExperimentOptions, SyntheticRegime } from './synthetic/options';
export { METHOD_PLANS } from './synthetic/method-plans';
export type { MethodPlan } from './synthetic/method-plans';
export { compareWithBestKd, formatBestKd, KD_BASELINES } from './synthetic/best-kd';
export type { BestKdComparison } from './synthetic/best-kd';
export { ABLATION_REFERENCE, compareAblations, formatAblations, isAblation } from './synthetic/ablations';
export type { AblationComparison } from './synthetic/ablations';
export { BENCH_PRESETS, MAIN_TABLE_METHODS, POSITIVE_CONTROL, benchOptions, describeBenchPresets } from './synthetic/presets';
export type { BenchOverrides, BenchPreset } from './synthetic/presets';
export { benchExperimentOptions, benchWorkerArgv, defaultBenchJobs, parseBenchRunId, spawnBenchRun, workerThreads } from './synthetic/bench-workers';
export type { BenchInvocation } from './synthetic/bench-workers';
export { formatAtChance, formatBenchOutput, formatDiverged, formatResultsTable } from './synthetic/format';
export { AT_CHANCE_SHARE, atChance, finalTrainingCrossEntropy } from './synthetic/training-fit';
export { runPool } from './synthetic/run-pool';
export { Stages } from './synthetic/stage';
export { sameClips, stateDigest, studentRunConfig, trainStudentRun, TRAIN_AUGMENT } from './synthetic/student-run';
export type { RunSpec, StudentSpec, TrainAugment, TrainedStudentRun } from './synthetic/student-run';
