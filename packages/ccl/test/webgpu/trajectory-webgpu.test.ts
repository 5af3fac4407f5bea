// The trajectory golden (tools/fixtures/trajectory/) on the tfjs WebGPU backend, as `ccl train --backend
// webgpu` runs it. Runs under tools/system/with-mesa.sh (Mesa's software Vulkan when the machine has no GPU).
import { describeTrajectoryOn } from '../../../../tools/fixtures/trajectory-on-backend';

describeTrajectoryOn('webgpu');
