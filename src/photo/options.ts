/** Option checks shared by validatePhoto and compressToSpec. */
import type { CallControl } from '../core/call-scope.js';
import { DEFAULTS } from '../core/defaults.js';
import type { DetectorName } from '../models/detect.js';
import { type DeepPartial, HUBEI_EXAM_PHOTO, type PhotoSpec, defineSpec } from '../core/spec.js';

export interface CommonOptions extends CallControl {
  spec?: PhotoSpec | DeepPartial<PhotoSpec>;
  detector?: DetectorName;
  maxInputBytes?: number;
  maxPixels?: number;
}

/** The spec and limits of a call (the options already checked against their schema), with their defaults. */
export function resolveCommon(options: CommonOptions): { spec: PhotoSpec; maxPixels: number; maxInputBytes: number; detector: DetectorName } {
  return {
    spec: resolveSpec(options.spec),
    maxPixels: options.maxPixels ?? DEFAULTS.image.maxPixels,
    maxInputBytes: options.maxInputBytes ?? DEFAULTS.image.maxInputBytes,
    detector: options.detector ?? DEFAULTS.photo.detector,
  };
}

function resolveSpec(spec: CommonOptions['spec']): PhotoSpec {
  if (spec === undefined) return HUBEI_EXAM_PHOTO;
  return defineSpec(spec as DeepPartial<PhotoSpec>);
}
