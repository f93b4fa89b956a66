import { clientSettingsOf } from '../client-settings';
import { ISSUER_ROLE_ARN_ENV, SECRET_SCHEMA_VERSION, TokenConfig, TokenSecretValue } from '../contract';
import { dualStackRepositoryEndpoint, PACKAGE_FORMATS, repositoryEndpoint } from '../endpoints';
import { sessionPolicy } from '../session-policy';
import { codeartifact, isAwsError, send, SessionCredentials, sts } from './aws';
import { Deadline } from './deadline';
import { HandlerError } from './errors';

/** A token must have at least this long left to be stored or promoted. */
const MIN_VALIDITY_MS = 5 * 60 * 1000;

/**
 * How long the issuer session lasts: the shortest STS allows, since the session only asks for one
 * token and a token outlives its session (GetAuthorizationToken: "the token lifetime is independent
 * of the maximum session duration of the role"). With durationSeconds 0 the token ends with the
 * session, so then the longest a chained role session may last, one hour (IAM User Guide, "Role
 * chaining").
 */
const SESSION_SECONDS = 900;
const SESSION_SECONDS_FOR_SESSION_TOKENS = 3600;

/**
 * Issues one token: assumes the stack's issuer role with this token's session policy, calls
 * GetAuthorizationToken with that session, and returns the secret value to store. `secretId` names
 * the session, so CloudTrail shows which secret's token made a request.
 */
export async function issueToken(config: TokenConfig, secretId: string, deadline: Deadline): Promise<TokenSecretValue> {
  const credentials = await assumeIssuerRole(config, secretId, deadline);
  const what = `GetAuthorizationToken for domain '${config.domain}' (owner ${config.domainOwner}, region ${config.domainRegion})`;
  const out = await send(deadline, codeartifact(config.domainRegion, credentials), what, (sdk) => new sdk.GetAuthorizationTokenCommand({
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
    repositories: config.repositories,
    access: config.access,
    ...endpointsOf(config),
    ...clientSettingsOf(config),
  };
}

/** The endpoints a consumer configures its package manager with, so it needs no CodeArtifact right itself. */
export function endpointsOf(config: TokenConfig): Pick<TokenSecretValue, 'endpoints' | 'endpointTemplate' | 'dualStackEndpointTemplate'> {
  const at = (repository: string, format: string) => ({ ...config, repository, format });
  const endpoints = config.repositories === '*' ? {} : Object.fromEntries(config.repositories.map((repository) =>
    [repository, Object.fromEntries(PACKAGE_FORMATS.map((format) => [format, repositoryEndpoint(at(repository, format))]))]));
  const dualStack = dualStackRepositoryEndpoint(at('{repository}', '{format}'));
  return {
    endpoints,
    endpointTemplate: repositoryEndpoint(at('{repository}', '{format}')),
    ...(dualStack ? { dualStackEndpointTemplate: dualStack } : {}),
  };
}

/** IAM is eventually consistent: a role created moments ago may not be assumable yet. */
const PROPAGATION_DELAYS_MS = [2000, 4000, 8000];

async function assumeIssuerRole(config: TokenConfig, secretId: string, deadline: Deadline): Promise<SessionCredentials> {
  const roleArn = process.env[ISSUER_ROLE_ARN_ENV];
  if (!roleArn) {
    throw new HandlerError(`the handler has no ${ISSUER_ROLE_ARN_ENV} environment variable: deploy it with the construct that created it`);
  }
  const what = `AssumeRole of the issuer role ${roleArn}`;
  for (let attempt = 0; ; attempt++) {
    try {
      const out = await send(deadline, sts(), what, (sdk) => new sdk.AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: sessionNameOf(secretId),
        Policy: sessionPolicy(config),
        DurationSeconds: config.durationSeconds === 0 ? SESSION_SECONDS_FOR_SESSION_TOKENS : SESSION_SECONDS,
      }), {
        explain: (err) => ((err as { name?: string })?.name === 'AccessDenied'
          ? '. The issuer role must trust the handler role, and the handler role must allow sts:AssumeRole on it.' : ''),
      });
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
        throw new HandlerError(`${what} returned no credentials`);
      }
      return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
    } catch (err) {
      // IAM User Guide, troubleshooting: "Changes that I make are not always immediately visible".
      // A first deploy creates the roles just before it asks for the first token.
      const delay = PROPAGATION_DELAYS_MS[attempt];
      if (isAwsError(err, 'AccessDenied') && delay !== undefined && deadline.remainingMs() > delay + 10_000) {
        await new Promise((r) => setTimeout(r, delay));
        continue;
      }
      throw err;
    }
  }
}

/** The secret's name (RoleSessionName allows 2-64 characters of [\w+=,.@-]). */
export function sessionNameOf(secretId: string): string {
  const name = /:secret:(.+)$/.exec(secretId)?.[1] ?? secretId;
  return name.replace(/[^\w+=,.@-]/g, '-').slice(-64).padStart(2, '-');
}

function hint(err: unknown, config: TokenConfig): string {
  const e = err as { name?: string; message?: string };
  if (e?.name === 'AccessDeniedException') {
    return /sts:GetServiceBearerToken/.test(e.message ?? '')
      ? '. The issuer role needs sts:GetServiceBearerToken with sts:AWSServiceName = codeartifact.amazonaws.com.'
      : `. The issuer role needs codeartifact:GetAuthorizationToken on the domain; for a domain in another account, the domain policy of ${config.domainOwner} must allow the issuer role (token.domainPolicyStatement()).`;
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
