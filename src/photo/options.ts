/** Option checks and timing shared by validatePhoto and compressToSpec. */
import type { CallControl, CallScope } from '../core/call-scope.js';
import { DETECTOR_NAMES, type DetectorName } from '../models/detect.js';
import { invalidArgument } from '../core/errors.js';
import { DEFAULTS, type DeepPartial, HUBEI_EXAM_PHOTO, type PhotoSpec, defineSpec } from '../core/spec.js';

export interface CommonOptions extends CallControl {
  spec?: PhotoSpec | DeepPartial<PhotoSpec>;
  detector?: DetectorName;
  maxInputBytes?: number;
  maxPixels?: number;
}

/** The spec and limits of a call, checked: misuse is an INVALID_ARGUMENT naming what was expected. */
export function resolveCommon(options: CommonOptions): { spec: PhotoSpec; maxPixels: number; maxInputBytes: number; detector: DetectorName } {
  if (typeof options !== 'object' || options === null) throw invalidArgument('options', 'an object', options);
  if (options.detector !== undefined && !DETECTOR_NAMES.includes(options.detector)) {
    throw invalidArgument('options.detector', DETECTOR_NAMES.map((d) => `'${d}'`).join(', '), options.detector);
  }
  return {
    spec: resolveSpec(options.spec),
    maxPixels: positive('options.maxPixels', options.maxPixels ?? DEFAULTS.maxPixels),
    maxInputBytes: positive('options.maxInputBytes', options.maxInputBytes ?? DEFAULTS.maxInputBytes),
    detector: options.detector ?? DEFAULTS.detector,
  };
}

function resolveSpec(spec: CommonOptions['spec']): PhotoSpec {
  if (spec === undefined) return HUBEI_EXAM_PHOTO;
  if (typeof spec !== 'object' || spec === null) throw invalidArgument('options.spec', 'a spec object', spec);
  return defineSpec(spec as DeepPartial<PhotoSpec>);
}

function positive(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw invalidArgument(name, 'a positive number', value);
  return value;
}

/**
 * Milliseconds per stage: `lap('decode')` records the time since the previous lap. Each lap is also the
 * call's checkpoint: a call aborted or past its deadline stops there.
 */
export function stageTimer(scope?: CallScope): { timings: Record<string, number>; lap: (stage: string) => void } {
  const timings: Record<string, number> = {};
  let last = performance.now();
  return {
    timings,
    lap(stage) {
      const now = performance.now();
      timings[stage] = Math.round((now - last) * 10) / 10;
      last = now;
      scope?.check();
    },
  };
}
