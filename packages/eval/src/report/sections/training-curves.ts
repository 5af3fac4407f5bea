/**
 * The training-curves sections: one small plot per loss term (x: step; smoothed, optionally on a log axis)
 * and one per epoch metric (accuracies in %), every run's log overlaid.
 */
import { epochMetrics, isAccuracyMetric, lossTerms, metricTitle, seriesOf } from '../curves';
import { defaultSmoothing } from '../smoothing';
import { slugOf, svgLineChart } from '../svg-charts';
import { type TrainingLog, parseTrainingLog } from '../training-log';
import type { ReportInput, ReportJson, TrainingLogInput } from '../types';
import type { SectionContext } from './figure-set';

/** The input's training logs by run name, parsed (`trainingLog` as run "training", then `trainingLogs`). */
export function parsedLogs(input: ReportInput): Map<string, TrainingLog> {
  const logs = new Map<string, TrainingLog>();
  const add = (name: string, l: TrainingLogInput) => logs.set(name, 'text' in l ? parseTrainingLog(l.text, l.source) : l);
  if (input.trainingLog) add('training', input.trainingLog);
  for (const [name, l] of Object.entries(input.trainingLogs ?? {})) add(name, l);
  return logs;
}

/** Adds the loss-term and epoch-metric figures; returns how the loss curves were drawn (null: no logs). */
export function trainingCurvesSection(logs: ReadonlyMap<string, TrainingLog>, options: ReportInput['curves'], ctx: SectionContext): ReportJson['curves'] {
  if (!logs.size) return null;
  const maxSteps = Math.max(0, ...[...logs.values()].map((l) => l.steps.length));
  const smoothing = options?.smoothing ?? defaultSmoothing(maxSteps);
  const logScale = options?.logScale ?? false;
  const seriesFor = (axis: 'step' | 'epoch', term: string, scale = 1) =>
    [...logs].flatMap(([run, log]) => {
      const s = seriesOf(log, axis, term, scale);
      return s.x.length ? [{ name: run, colour: ctx.colourOf(run), ...s }] : [];
    });
  for (const term of lossTerms(logs)) {
    const svg = svgLineChart({ title: term, xLabel: 'step', yLabel: 'loss', series: seriesFor('step', term), smoothing, logY: logScale });
    ctx.figures.add('loss-term', `loss-${slugOf(term)}`, term, svg, term);
  }
  for (const metric of epochMetrics(logs)) {
    const acc = isAccuracyMetric(metric);
    const title = `${metricTitle(metric)}${acc ? ' (%)' : ''}`;
    const svg = svgLineChart({ title, xLabel: 'epoch', yLabel: acc ? 'accuracy (%)' : metric, series: seriesFor('epoch', metric, acc ? 100 : 1) });
    ctx.figures.add('epoch-metric', `epoch-${slugOf(metric)}`, title, svg, metric);
  }
  return { smoothing, logScale };
}
