import type { CallScope } from './call-scope.js';

/** Milliseconds per stage; a stage that did not run is absent. */
export type Timings<Stage extends string> = Partial<Record<Stage, number>>;

/**
 * Milliseconds per stage: `lap('decode')` adds the time since the previous lap to the stage's. Each lap is also the
 * call's checkpoint: a call aborted or past its deadline stops there.
 */
export function stageTimer<Stage extends string>(scope?: CallScope): { timings: Timings<Stage>; lap: (stage: Stage) => void } {
  const timings: Timings<Stage> = {};
  let last = performance.now();
  return {
    timings,
    lap(stage) {
      const now = performance.now();
      // A stage run more than once (a card read again under its stamp) adds up.
      timings[stage] = Math.round(((timings[stage] ?? 0) + now - last) * 10) / 10;
      last = now;
      scope?.check();
    },
  };
}
