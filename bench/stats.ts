/** A median with its spread: every figure the bench reports is one of these, never a single run. */
export interface Spread { readonly median: number; readonly min: number; readonly max: number }

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const spread = (xs: number[]): Spread => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });
