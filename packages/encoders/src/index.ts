/**
 * @ccl/encoders public API: encoder registry and contract, R(2+1)D student, ResNet and Cnn14 teachers,
 * layers, conv ops (the one module a faster kernel replaces), state dicts, safetensors (de)serialisation,
 * PyTorch checkpoints read without running their pickle (parseTorchCheckpoint), feature extraction. File
 * I/O (safetensors, PyTorch checkpoints and tfjs model files) is in '@ccl/encoders/node'. See docs/encoders.md.
 */
// Registers tfjs-core's gradient functions (tfjs-core's CJS bundle has none): this package trains.
import '@ccl/base/gradients';
export type { EncoderApplyOptions, Encoder, EncoderOutput, InputConvention, NamedVariable } from './encoder';
export { ModuleEncoder } from './encoder';
export { encoderOptionKeys, listEncoders, registerEncoder, type EncoderFactory, type EncoderRegistration } from './registry';
export { createEncoder, type BuiltinEncoders } from './create-encoder';
export { R2plus1d, describeR2plus1d, R2PLUS1D_STAGE_BLOCKS, type R2plus1dOptions, type R2plus1dDescription } from './models/r2plus1d';
export { intermediateChannels, FactorisedConv, type FactorisedConvConfig } from './nn/factorised-conv';
export { BatchNorm, BN_EPS, BN_MOMENTUM } from './nn/batchnorm';
export type { ForwardContext } from './nn/context';
export { ParameterStore, Param, countTrainable, type ParamSpec, type Initializer } from './nn/parameters';
export type { WeightLayout } from './nn/layouts';
export { conv2d, spatialConv, temporalConv, maxPool2d, avgPool2d, framedConv1d, type Conv2dOptions } from './ops/conv';
export { loadParams, type LoadReport } from './state-dict';
export {
  parseSafetensors,
  parseSafetensorsHeader,
  serializeSafetensors,
  serializeRawSafetensors,
  rawTensorsToStateDict,
  dtypeBytes,
  type RawTensor,
  type SafetensorsDtype,
  type ParseSafetensorsOptions,
  type SafetensorsEntry,
  type WriteSafetensorsOptions,
} from './io/safetensors';
export {
  parseTorchCheckpoint,
  describeValue,
  summarizeTensors,
  STATE_DICT_KEYS,
  type TorchCheckpointOptions,
  type TorchStateDict,
} from './io/torch/checkpoint';
export { RefusedGlobalError } from './io/torch/unpickle';
export { allowedGlobalNames } from './io/torch/torch-globals';
export { encoderMetadata, encoderSpecOf, ENCODER_METADATA_KEY, OPTIONS_METADATA_KEY, type EncoderSpec } from './io/weights-metadata';
export { floatToHalf, halfToFloat, floatToBf16, bf16ToFloat } from './io/half';
export { Resnet, describeResnet, RESNET_STAGE_BLOCKS, IMAGENET_MEAN, IMAGENET_STD, type ResnetOptions } from './models/resnet';
export { Cnn14, describeCnn14, type Cnn14Options } from './models/cnn14';
export { hannWindow, stftKernels, melFilterbank, hzToMel, melToHz } from './audio/filters';
export { extractFeatures, type FeatureBatch, type FeatureSink, type ExtractFeaturesOptions, type ExtractProgress } from './extract';
