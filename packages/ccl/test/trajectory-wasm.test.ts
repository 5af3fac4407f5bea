// The trajectory golden (tools/fixtures/trajectory/) on the WASM backend with ccl's training kernels, as the
// `ccl` command runs it. The batches hold videos without audio, so CCL-A and CCL-AI drop rows from the
// audio terms (a backward pass that must not need a kernel WASM lacks, such as UnsortedSegmentSum).
import { describeTrajectoryOn } from '../../../tools/fixtures/trajectory-on-backend';

describeTrajectoryOn('wasm');
