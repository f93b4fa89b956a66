/**
 * Token freshness, from the rotation schedule: a rotation may land up to its lateness after it is
 * due (Secrets Manager's window: 1 hour; EventBridge Scheduler: a minute of precision plus the
 * rotation itself, 5 minutes), so the oldest token a reader can get was issued `interval + lateness`
 * ago. A simulation over random rotation times checks the formula.
 */
import { deriveRotation, intervalMinutes, latenessMinutes, RotationPlan, worstCaseValiditySeconds } from '../lib/validation';

export interface FreshnessRow {
  readonly duration: string;
  readonly interval: string;
  readonly trigger: string;
  readonly lateness: string;
  readonly left: string;
}

/** tokenDuration in minutes, and an explicit rotationInterval in minutes (else the derived one). */
const SETTINGS: Array<{ durationMinutes: number; intervalMinutes?: number }> = [
  { durationMinutes: 12 * 60 },
  { durationMinutes: 12 * 60, intervalMinutes: 4 * 60 },
  { durationMinutes: 12 * 60, intervalMinutes: 8 * 60 },
  { durationMinutes: 9 * 60 },
  { durationMinutes: 8 * 60 },
  { durationMinutes: 6 * 60 },
  { durationMinutes: 4 * 60 },
  { durationMinutes: 2 * 60 },
  { durationMinutes: 60 },
  { durationMinutes: 60, intervalMinutes: 15 },
  { durationMinutes: 30 },
  { durationMinutes: 15 },
];

/** The least validity left (minutes), by simulating a month of rotations that land at random within their lateness. */
function simulate(durationMinutes: number, plan: RotationPlan, seed = 42): number {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const interval = intervalMinutes(plan);
  const lateness = latenessMinutes(plan);
  let least = Infinity;
  let issued = 0;
  for (let t = interval; t < 60 * 24 * 31; t += interval) {
    const rotatedAt = t + random() * lateness;
    least = Math.min(least, durationMinutes - (rotatedAt - issued)); // read just before this rotation lands
    issued = rotatedAt;
  }
  return least;
}

const text = (minutes: number) => (minutes >= 60 && minutes % 60 === 0 ? `${minutes / 60} h` : minutes > 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`);
const fractional = (minutes: number) => (minutes >= 60 ? `${(minutes / 60).toFixed(2)} h` : `${minutes.toFixed(1)} min`);

export function freshnessRows(): FreshnessRow[] {
  return SETTINGS.map(({ durationMinutes, intervalMinutes: explicit }) => {
    const derived = deriveRotation(durationMinutes * 60);
    const plan: RotationPlan = explicit === undefined ? derived
      : explicit % 60 === 0 && explicit >= 240 ? { trigger: 'secrets-manager', hours: explicit / 60 } : { trigger: 'scheduler', minutes: explicit };
    const formula = worstCaseValiditySeconds(durationMinutes * 60, plan) / 60;
    return {
      duration: text(durationMinutes),
      interval: `${text(intervalMinutes(plan))}${explicit === undefined ? ' (default)' : ''}`,
      trigger: plan.trigger === 'secrets-manager' ? 'Secrets Manager' : 'EventBridge Scheduler',
      lateness: text(latenessMinutes(plan)),
      left: `${text(formula)} (simulated: ${fractional(simulate(durationMinutes, plan))})`,
    };
  });
}
