/**
 * Token freshness, from the rotation schedule: a rotation may start anywhere in its window, so the
 * oldest token a reader can get was issued `interval + window` ago. A simulation over random
 * rotation start times checks the formula.
 */
import { deriveRotationHours, ROTATION_WINDOW_HOURS, worstCaseValiditySeconds } from '../lib/validation';

export interface FreshnessRow {
  readonly duration: string;
  readonly interval: string;
  readonly window: string;
  readonly left: string;
}

const SETTINGS: Array<{ durationHours: number; intervalHours?: number }> = [
  { durationHours: 12 },
  { durationHours: 12, intervalHours: 4 },
  { durationHours: 12, intervalHours: 8 },
  { durationHours: 8 },
  { durationHours: 6 },
];

/** The least validity left, by simulating a month of rotations that start at random in their window. */
function simulate(durationHours: number, intervalHours: number, seed = 42): number {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  let least = Infinity;
  let issued = 0;
  for (let t = intervalHours; t < 24 * 31; t += intervalHours) {
    const rotatedAt = t + random() * ROTATION_WINDOW_HOURS;
    least = Math.min(least, durationHours - (rotatedAt - issued)); // read just before this rotation lands
    issued = rotatedAt;
  }
  return least;
}

export function freshnessRows(): FreshnessRow[] {
  return SETTINGS.map(({ durationHours, intervalHours }) => {
    const interval = intervalHours ?? deriveRotationHours(durationHours * 3600);
    const formula = worstCaseValiditySeconds(durationHours * 3600, interval) / 3600;
    const simulated = simulate(durationHours, interval);
    return {
      duration: `${durationHours} h`,
      interval: `${interval} h${intervalHours === undefined ? ' (default)' : ''}`,
      window: `${ROTATION_WINDOW_HOURS} h`,
      left: `${formula.toFixed(1)} h (simulated: ${simulated.toFixed(2)} h)`,
    };
  });
}
