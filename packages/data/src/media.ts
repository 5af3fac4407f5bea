/**
 * @ccl/data/media: video and audio decoding, probing and encoding, and what needs them (the clip cache's
 * `prepareClipCache`, the synthetic data set's `generateSyntheticAV`). Needs the optional peer dependencies
 * `mediainfo.js` (probing) and an ffmpeg binary: `$CCL_FFMPEG`, else `@ffmpeg-installer/ffmpeg` when installed,
 * else an `ffmpeg` on PATH ({@link resolveFfmpegPath}).
 * The main entry `@ccl/data` loads neither.
 */
export { FFMPEG_HELP, ffmpegOnPath, resolveFfmpegPath, runFfmpeg } from './media/ffmpeg';
export { closeMediaInfo, mediaInfoWasmPath, probeFiles, probeMedia, toManifestProbe } from './media/probe';
export type { FileProbe, MediaProbe } from './media/probe';
export { decodeAudio, decodeVideo, decodeVideoFrames, shortSideSize } from './media/decode';
export type { DecodeAudioOptions, DecodeVideoOptions, DecodedVideo, VideoFrame } from './media/decode';
export { probeManifest, resolveVideoPath } from './media/probe-manifest';
export type { ProbeFailure } from './media/probe-manifest';
export { VIDEO_CODECS, encodeVideo } from './media/encode';
export type { EncodeVideoInput } from './media/encode';
export {
  assemblePrepareReport,
  clipCacheState,
  clipPrepareTask,
  clipSettings,
  manifestOfCachedSamples,
  manifestWithProbes,
  prepareClip,
  prepareClipCache,
  prepareReportPath,
  removeStaleClipTemps,
} from './cache/prepare';
export type {
  ClipCacheState,
  ClipPrepareResult,
  ClipPrepareStatus,
  ClipPrepareTask,
  PrepareOptions,
  PrepareReport,
  PrepareSettingsOptions,
  PrepareSkip,
} from './cache/prepare';
export { describePreparedDataset, prepareDataset } from './cache/prepare-dataset';
export type { PrepareDatasetOptions, PreparedDataset, RemotePrepareRequest } from './cache/prepare-dataset';
export { generateSyntheticAV } from './synth/generate';
export type { SyntheticAVOptions, SyntheticAVResult, TeacherSourceIndex, TeacherSourceItem } from './synth/generate';
