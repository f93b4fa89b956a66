import {
  ACCOUNT_PATTERN,
  CONFIG_TAGS,
  DOMAIN_PATTERN,
  MAX_DURATION_SECONDS,
  MIN_DURATION_SECONDS,
  REGION_PATTERN,
} from '../secret-format';
import { HandlerError } from './errors';

/** What GetAuthorizationToken is called with, for one token. */
export interface TokenConfig {
  readonly domain: string;
  readonly domainOwner: string;
  readonly region: string;
  readonly durationSeconds: number;
}

type Raw = { [K in keyof TokenConfig]: string | undefined };

/**
 * Checks a configuration at deploy time: values that were CloudFormation tokens at synth time
 * arrive here unchecked. `source` names where they came from, for the error message.
 */
export function parseConfig(raw: Raw, source: string): TokenConfig {
  const errors: string[] = [];
  const check = (name: keyof TokenConfig, ok: boolean, rule: string) => {
    if (!ok) {
      errors.push(`${name} ${rule}, got ${JSON.stringify(raw[name] ?? null)}`);
    }
  };
  check('domain', DOMAIN_PATTERN.test(raw.domain ?? ''), `must match ${DOMAIN_PATTERN}`);
  check('domainOwner', ACCOUNT_PATTERN.test(raw.domainOwner ?? ''), 'must be a 12-digit account id');
  check('region', REGION_PATTERN.test(raw.region ?? ''), 'must be an AWS region name');
  const seconds = Number(raw.durationSeconds);
  check('durationSeconds',
    /^\d+$/.test(raw.durationSeconds ?? '') && (seconds === 0 || (seconds >= MIN_DURATION_SECONDS && seconds <= MAX_DURATION_SECONDS)),
    `must be 0 or a whole number from ${MIN_DURATION_SECONDS} to ${MAX_DURATION_SECONDS}`);
  if (errors.length > 0) {
    throw new HandlerError(`invalid token configuration in ${source}: ${errors.join('; ')}`);
  }
  return { domain: raw.domain!, domainOwner: raw.domainOwner!, region: raw.region!, durationSeconds: seconds };
}

/** The configuration the construct wrote into the custom resource's properties. */
export function configFromProperties(props: Record<string, unknown>): TokenConfig {
  const str = (v: unknown) => (v === undefined || v === null ? undefined : String(v));
  return parseConfig({
    domain: str(props.Domain),
    domainOwner: str(props.DomainOwner),
    region: str(props.Region),
    durationSeconds: str(props.DurationSeconds),
  }, 'the custom resource properties');
}

/** The configuration the construct wrote into the secret's tags: the rotation's source of truth. */
export function configFromTags(tags: ReadonlyArray<{ Key?: string; Value?: string }> | undefined, secretId: string): TokenConfig {
  const get = (key: string) => tags?.find((t) => t.Key === key)?.Value;
  return parseConfig({
    domain: get(CONFIG_TAGS.domain),
    domainOwner: get(CONFIG_TAGS.domainOwner),
    region: get(CONFIG_TAGS.region),
    durationSeconds: get(CONFIG_TAGS.durationSeconds),
  }, `the tags of secret ${secretId} (${Object.values(CONFIG_TAGS).join(', ')})`);
}
