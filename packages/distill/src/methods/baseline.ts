import { crossEntropy } from '@ccl/losses';
import type { Method } from './method';
import { registerMethod } from './registry';

/** The baseline: cross-entropy on the video labels only (METHOD §7, "baseline (CE only)"). */
export function baselineMethod(): Method {
  return {
    name: 'baseline',
    modules: {},
    loss: (s) => {
      const ce = crossEntropy(s.logits, s.labels);
      return { total: ce, terms: { cls_v: ce } };
    },
    stateDict: () => ({}),
    loadStateDict: () => undefined,
    dispose: () => undefined,
  };
}

registerMethod('baseline', baselineMethod);
