import { SECRET_SCHEMA_VERSION, TokenConfig, TokenSecretValue } from '../contract';
import { codeartifact, send } from './aws';
import { Deadline } from './deadline';
import { HandlerError } from './errors';

/** A token must have at least this long left to be stored or promoted. */
const MIN_VALIDITY_MS = 5 * 60 * 1000;

/** Calls GetAuthorizationToken and returns the secret value to store. */
export async function issueToken(config: TokenConfig, deadline: Deadline): Promise<TokenSecretValue> {
  const what = `GetAuthorizationToken for domain '${config.domain}' (owner ${config.domainOwner}, region ${config.domainRegion})`;
  const out = await send(deadline, codeartifact(config.domainRegion), what, (sdk) => new sdk.GetAuthorizationTokenCommand({
    domain: config.domain,
    domainOwner: config.domainOwner,
    durationSeconds: config.durationSeconds,
  }), { explain: (err) => hint(err, config) });
  const expiration = out.expiration;
  if (typeof out.authorizationToken !== 'string' || out.authorizationToken.length === 0) {
    throw new HandlerError(`${what} returned a response without an authorizationToken`);
  }
  if (!(expiration instanceof Date) || Number.isNaN(expiration.getTime())) {
    throw new HandlerError(`${what} returned a response without a valid expiration`);
  }
  if (expiration.getTime() - Date.now() < MIN_VALIDITY_MS) {
    throw new HandlerError(`${what} returned a token that expires at ${expiration.toISOString()}, less than 5 minutes from now`);
  }
  return {
    schemaVersion: SECRET_SCHEMA_VERSION,
    authorizationToken: out.authorizationToken,
    expiration: expiration.toISOString(),
    issuedAt: new Date().toISOString(),
    domain: config.domain,
    domainOwner: config.domainOwner,
    domainRegion: config.domainRegion,
    durationSeconds: config.durationSeconds,
  };
}

function hint(err: unknown, config: TokenConfig): string {
  const e = err as { name?: string; message?: string };
  if (e?.name === 'AccessDeniedException') {
    return /sts:GetServiceBearerToken/.test(e.message ?? '')
      ? '. The handler role needs sts:GetServiceBearerToken with sts:AWSServiceName = codeartifact.amazonaws.com.'
      : `. The handler role needs codeartifact:GetAuthorizationToken on the domain; for a domain in another account, the domain policy of ${config.domainOwner} must allow it too.`;
  }
  if (e?.name === 'ResourceNotFoundException') {
    return `. Check that domain '${config.domain}' exists in account ${config.domainOwner}, region ${config.domainRegion}.`;
  }
  return '';
}

/**
 * Checks a stored value: the right shape and a token that is still valid for a while.
 * Returns the problem, or undefined when the value is good. Never quotes the value.
 */
export function checkSecretValue(secretString: string | undefined): string | undefined {
  let v: Partial<TokenSecretValue>;
  try {
    v = JSON.parse(secretString ?? '');
  } catch {
    return 'the value is not JSON';
  }
  if (typeof v !== 'object' || v === null) {
    return 'the value is not a JSON object';
  }
  for (const key of ['authorizationToken', 'expiration', 'domain', 'domainOwner', 'domainRegion'] as const) {
    if (typeof v[key] !== 'string' || v[key] === '') {
      return `the value has no ${key}`;
    }
  }
  const expires = Date.parse(v.expiration!);
  if (Number.isNaN(expires)) {
    return 'the expiration is not a date';
  }
  if (expires - Date.now() < MIN_VALIDITY_MS) {
    return `the token expires at ${new Date(expires).toISOString()}, less than 5 minutes from now`;
  }
  return undefined;
}
