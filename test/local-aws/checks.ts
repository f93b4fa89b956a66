/**
 * What every scenario checks: the secret's value against the documented schema, the version
 * stages after a deploy or rotation, and that no token text reached a place it must never reach.
 * Messages never quote the token.
 */

/** What a secret value must say about its token (the README's schema). */
export interface ExpectedValue {
  readonly domain: string;
  readonly domainOwner: string;
  readonly domainRegion: string;
  readonly durationSeconds: number;
  readonly repositories: string[] | '*';
  readonly access: 'read' | 'read-and-publish';
}

const FORMATS = ['npm', 'pypi', 'maven', 'nuget', 'generic', 'ruby', 'swift', 'cargo'];

/**
 * Problems with a secret value against the documented schema (never quoting the token). The
 * endpoints are checked against the form the README documents, written out here on purpose rather
 * than taken from the library.
 */
export function schemaProblems(raw: string | undefined, expect: ExpectedValue): string[] {
  let v: any;
  try {
    v = JSON.parse(raw ?? '');
  } catch {
    return ['the value is not JSON'];
  }
  const problems: string[] = [];
  const keys = ['schemaVersion', 'authorizationToken', 'expiration', 'issuedAt', 'domain', 'domainOwner', 'domainRegion', 'durationSeconds',
    'repositories', 'access', 'endpoints', 'endpointTemplate', 'dualStackEndpointTemplate', 'clients'];
  const extra = Object.keys(v).filter((k) => !keys.includes(k));
  if (extra.length) problems.push(`unexpected keys ${extra.join(', ')}`);
  const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z$/;
  if (v.schemaVersion !== 1) problems.push(`schemaVersion is ${JSON.stringify(v.schemaVersion)}`);
  if (typeof v.authorizationToken !== 'string' || !v.authorizationToken) problems.push('no authorizationToken');
  if (!iso.test(v.expiration ?? '')) problems.push(`expiration ${JSON.stringify(v.expiration)} is not ISO 8601 UTC`);
  else if (Date.parse(v.expiration) <= Date.now()) problems.push(`expiration ${v.expiration} is not in the future`);
  if (!iso.test(v.issuedAt ?? '')) problems.push(`issuedAt ${JSON.stringify(v.issuedAt)} is not ISO 8601 UTC`);
  for (const k of ['domain', 'domainOwner', 'domainRegion', 'durationSeconds', 'repositories', 'access'] as const) {
    if (JSON.stringify(v[k]) !== JSON.stringify(expect[k])) problems.push(`${k} is ${JSON.stringify(v[k])}, expected ${JSON.stringify(expect[k])}`);
  }
  const host = `${expect.domain}-${expect.domainOwner}.d.codeartifact.${expect.domainRegion}.amazonaws.com`;
  const endpoints = expect.repositories === '*' ? {} : Object.fromEntries(expect.repositories.map((r) =>
    [r, Object.fromEntries(FORMATS.map((f) => [f, `https://${host}/${f}/${r}/`]))]));
  if (JSON.stringify(v.endpoints) !== JSON.stringify(endpoints)) problems.push(`endpoints are ${JSON.stringify(v.endpoints)}, expected ${JSON.stringify(endpoints)}`);
  const clients = expect.repositories === '*' ? {} : Object.fromEntries(expect.repositories.map((r) => {
    const name = `codeartifact-${r.replace(/\./g, '-')}`;
    return [r, {
      maven: { id: name, url: `https://${host}/maven/${r}/`, username: 'aws' },
      cargo: { registry: name, index: `sparse+https://${host}/cargo/${r}/`, tokenVariable: `CARGO_REGISTRIES_${name.toUpperCase().replace(/-/g, '_')}_TOKEN` },
      nuget: { source: `https://${host}/nuget/${r}/v3/index.json`, username: 'aws' },
    }];
  }));
  if (JSON.stringify(v.clients) !== JSON.stringify(clients)) problems.push(`clients are ${JSON.stringify(v.clients)}, expected ${JSON.stringify(clients)}`);
  if (v.endpointTemplate !== `https://${host}/{format}/{repository}/`) problems.push(`endpointTemplate is ${JSON.stringify(v.endpointTemplate)}`);
  const dualStack = `https://${expect.domain}-${expect.domainOwner}.codeartifact.${expect.domainRegion}.on.aws/{format}/{repository}/`;
  if (v.dualStackEndpointTemplate !== dualStack) problems.push(`dualStackEndpointTemplate is ${JSON.stringify(v.dualStackEndpointTemplate)}`);
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
