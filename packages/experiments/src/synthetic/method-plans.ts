/** One method of the demo / synthetic benchmark: which teachers it uses and extra config. */
export interface MethodPlan {
  label: string;
  method: string;
  audio: boolean;
  image: boolean;
  extra?: Record<string, unknown>;
  /** Extra settings of a teacher by name (temperatures of an ablation). */
  teacherOptions?: Record<string, Record<string, unknown>>;
}

/** CCL-AI with one thing changed: the ablations that explain a CCL result (docs/benchmark.md). */
const CCL_AI_ABLATIONS: Record<string, Omit<MethodPlan, 'label' | 'audio' | 'image'>> = {
  'ccl-ai-paper': { method: 'ccl-paper' },
  'ccl-ai-no-composition': { method: 'ccl', extra: { cclTerms: { composition: false } } },
  'ccl-ai-no-jsd': { method: 'ccl', extra: { cclTerms: { jsd: false } } },
  'ccl-ai-no-vm': { method: 'ccl', extra: { cclTerms: { vm: false } } },
  'ccl-ai-lw1': { method: 'ccl', extra: { lossWeight: 1 } },
  'ccl-ai-lw0.1': { method: 'ccl', extra: { lossWeight: 0.1 } },
  'ccl-ai-tau-swapped': { method: 'ccl', teacherOptions: { audio: { temperature: 0.1 }, image: { temperature: 0.5 } } },
  'ccl-ai-tau1': { method: 'ccl', teacherOptions: { audio: { temperature: 1 }, image: { temperature: 1 } } },
};

export const METHOD_PLANS: Record<string, MethodPlan> = {
  baseline: { label: 'baseline', method: 'baseline', audio: false, image: false },
  'ccl-a': { label: 'ccl-a', method: 'ccl', audio: true, image: false },
  'ccl-i': { label: 'ccl-i', method: 'ccl', audio: false, image: true },
  'ccl-ai': { label: 'ccl-ai', method: 'ccl', audio: true, image: true },
  ...Object.fromEntries(
    ['fitnet', 'pkt', 'cor', 'rkd', 'crd', 'ifd', 'cmc', 'sp', 'vid'].map((m) => [
      m,
      { label: m, method: m, audio: true, image: true, extra: m === 'crd' || m === 'cmc' ? { kdOptions: { numNegatives: 256, embedDim: 64 } } : undefined },
    ]),
  ),
  ...Object.fromEntries(Object.entries(CCL_AI_ABLATIONS).map(([label, plan]) => [label, { label, audio: true, image: true, ...plan }])),
};
