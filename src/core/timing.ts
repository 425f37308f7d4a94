import type { CallScope } from './call-scope.js';

/** Milliseconds per stage; a stage that did not run is absent. */
export type Timings<Stage extends string> = Partial<Record<Stage, number>>;

/**
 * Milliseconds per stage: `lap('decode')` records the time since the previous lap. Each lap is also the
 * call's checkpoint: a call aborted or past its deadline stops there.
 */
export function stageTimer<Stage extends string>(scope?: CallScope): { timings: Timings<Stage>; lap: (stage: Stage) => void } {
  const timings: Timings<Stage> = {};
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
