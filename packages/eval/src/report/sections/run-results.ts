/** The results section's data: each method's recognition, retrieval and linear-probe results as `report.json` keeps them. */
import type { ReportInput, ReportJson } from '../types';

export function runResultsSection(input: ReportInput): Pick<ReportJson, 'recognition' | 'retrieval' | 'probes'> {
  const recognition: ReportJson['recognition'] = {};
  for (const [m, r] of Object.entries(input.recognition ?? {}))
    recognition[m] = { numVideos: r.numVideos, topK: { ...r.topK }, meanClassAccuracy: r.meanClassAccuracy, perClassAccuracy: [...r.perClassAccuracy] };
  const retrieval: ReportJson['retrieval'] = {};
  for (const [m, r] of Object.entries(input.retrieval ?? {}))
    retrieval[m] = { numQueries: r.numQueries, numGallery: r.numGallery, recallAtK: { ...r.recallAtK }, mAP: r.mAP };
  const probes: ReportJson['probes'] = {};
  for (const [m, p] of Object.entries(input.probes ?? {}))
    probes[m] = {
      numTrain: p.numTrain,
      numTest: p.numTest,
      dims: p.dims,
      l2: p.l2,
      top1: p.top1,
      trainTop1: p.trainTop1,
      iterations: p.iterations,
      converged: p.converged,
      perClassAccuracy: [...p.perClassAccuracy],
    };
  return { recognition, retrieval, probes };
}
