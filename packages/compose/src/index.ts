// Registers tfjs-core's gradient functions (tfjs-core's CJS bundle has none): this package trains.
import '@ccl/base/gradients';
export type { Composition, CompositionOptions, CompositionOutput, CompositionApplyOptions } from './head';
export { detach } from './head';
export { ResidualComposition, GatedComposition, normalizeRows } from './residual';
/** `new CompositionHead({ teacherDim, studentDim, numClasses, normalize })`: the paper's residual composition. */
export { ResidualComposition as CompositionHead } from './residual';
export { registerComposition, createComposition, listCompositions, compositionOptionKeys } from './registry';
export type { CompositionFactory, CompositionRegistration } from './registry';
