/**
 * What every scenario checks: the secret's value against the documented schema, the version
 * stages after a deploy or rotation, and that no token text reached a place it must never reach.
 * Messages never quote the token.
 */

/** Problems with a secret value against the documented schema (never quoting the token). */
export function schemaProblems(
  raw: string | undefined,
  expect: { domain: string; domainOwner: string; domainRegion: string; durationSeconds: number },
): string[] {
  let v: any;
  try {
    v = JSON.parse(raw ?? '');
  } catch {
    return ['the value is not JSON'];
  }
  const problems: string[] = [];
  const keys = ['schemaVersion', 'authorizationToken', 'expiration', 'issuedAt', 'domain', 'domainOwner', 'domainRegion', 'durationSeconds'];
  const extra = Object.keys(v).filter((k) => !keys.includes(k));
  if (extra.length) problems.push(`unexpected keys ${extra.join(', ')}`);
  const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z$/;
  if (v.schemaVersion !== 1) problems.push(`schemaVersion is ${JSON.stringify(v.schemaVersion)}`);
  if (typeof v.authorizationToken !== 'string' || !v.authorizationToken) problems.push('no authorizationToken');
  if (!iso.test(v.expiration ?? '')) problems.push(`expiration ${JSON.stringify(v.expiration)} is not ISO 8601 UTC`);
  else if (Date.parse(v.expiration) <= Date.now()) problems.push(`expiration ${v.expiration} is not in the future`);
  if (!iso.test(v.issuedAt ?? '')) problems.push(`issuedAt ${JSON.stringify(v.issuedAt)} is not ISO 8601 UTC`);
  for (const k of ['domain', 'domainOwner', 'domainRegion', 'durationSeconds'] as const) {
    if (v[k] !== expect[k]) problems.push(`${k} is ${JSON.stringify(v[k])}, expected ${JSON.stringify(expect[k])}`);
  }
  return problems;
}

/** The stage layout after a good rotation or deploy: AWSCURRENT on `current`, no AWSPENDING anywhere. */
export function stageProblems(stages: Record<string, string[]>, current: string, previous?: string): string[] {
  const problems: string[] = [];
  const holders = (s: string) => Object.entries(stages).filter(([, l]) => l.includes(s)).map(([id]) => id);
  if (holders('AWSCURRENT').join() !== current) problems.push(`AWSCURRENT is on ${holders('AWSCURRENT').join() || 'no version'}, expected ${current}`);
  if (previous && holders('AWSPREVIOUS').join() !== previous) problems.push(`AWSPREVIOUS is on ${holders('AWSPREVIOUS').join() || 'no version'}, expected ${previous}`);
  const pending = holders('AWSPENDING').filter((id) => id !== current);
  if (pending.length) problems.push(`AWSPENDING left on ${pending.join(', ')}`);
  return problems;
}

/**
 * Which issued tokens appear in which places (by name; the token itself is never returned). Looks
 * for the whole token and for pieces of it, in case something truncates or splits it.
 */
export function leakProblems(issuedTokens: readonly string[], places: ReadonlyArray<readonly [string, string]>): string[] {
  const found: string[] = [];
  issuedTokens.forEach((token, i) => {
    const pieces = [token, token.slice(20, 52), token.slice(-32)];
    for (const [where, text] of places) {
      if (pieces.some((p) => text.includes(p))) found.push(`token #${i + 1} appears in ${where}`);
    }
  });
  return found;
}
