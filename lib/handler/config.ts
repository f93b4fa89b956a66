import {
  ACCESS_LEVELS,
  AccessLevel,
  ACCOUNT_PATTERN,
  ALL_REPOSITORIES_TAG_VALUE,
  CONFIG_FIELDS,
  CONFIG_NAMES,
  ConfigFieldNames,
  DOMAIN_PATTERN,
  MAX_DURATION_SECONDS,
  MIN_DURATION_SECONDS,
  REGION_PATTERN,
  REPOSITORY_PATTERN,
  REPOSITORY_SEPARATOR,
  TokenConfig,
} from '../contract';
import { HandlerError } from './errors';

type Raw = { [K in keyof TokenConfig]: string | undefined };

/**
 * Checks a configuration at deploy time: values that were CloudFormation tokens at synth time
 * arrive here unchecked. `source` names where they came from, and each problem names the construct
 * prop the value was written in, for the error message.
 */
export function parseConfig(raw: Raw, source: string): TokenConfig {
  const errors: string[] = [];
  const check = (field: keyof TokenConfig, ok: boolean, rule: string) => {
    if (!ok) {
      errors.push(`${CONFIG_NAMES[field].prop} ${rule}, got ${JSON.stringify(raw[field] ?? null)}`);
    }
  };
  check('domain', DOMAIN_PATTERN.test(raw.domain ?? ''), `must match ${DOMAIN_PATTERN}`);
  check('domainOwner', ACCOUNT_PATTERN.test(raw.domainOwner ?? ''), 'must be a 12-digit account id');
  check('domainRegion', REGION_PATTERN.test(raw.domainRegion ?? ''), 'must be an AWS region name');
  const seconds = Number(raw.durationSeconds);
  check('durationSeconds',
    /^\d+$/.test(raw.durationSeconds ?? '') && (seconds === 0 || (seconds >= MIN_DURATION_SECONDS && seconds <= MAX_DURATION_SECONDS)),
    `must be 0 or a whole number of seconds from ${MIN_DURATION_SECONDS} to ${MAX_DURATION_SECONDS}`);
  const repositories = raw.repositories === ALL_REPOSITORIES_TAG_VALUE
    ? '*' as const
    : (raw.repositories ?? '').split(REPOSITORY_SEPARATOR).filter((r) => r !== '');
  check('repositories',
    repositories === '*' || (repositories.length > 0 && repositories.every((r) => REPOSITORY_PATTERN.test(r))),
    `must be repository names matching ${REPOSITORY_PATTERN} separated by spaces, or ${ALL_REPOSITORIES_TAG_VALUE}`);
  check('access', ACCESS_LEVELS.includes(raw.access as AccessLevel), `must be one of ${ACCESS_LEVELS.join(', ')}`);
  // Fail closed, as the construct does at synth time: publishing is only ever to named repositories.
  check('access', !(raw.access === 'read-and-publish' && repositories === '*'), 'read-and-publish needs named repositories');
  if (errors.length > 0) {
    throw new HandlerError(`invalid token configuration in ${source}: ${errors.join('; ')}`);
  }
  return {
    domain: raw.domain!,
    domainOwner: raw.domainOwner!,
    domainRegion: raw.domainRegion!,
    durationSeconds: seconds,
    repositories,
    access: raw.access as AccessLevel,
  };
}

function readFields(read: (names: ConfigFieldNames) => string | undefined): Raw {
  return Object.fromEntries(CONFIG_FIELDS.map((field) => [field, read(CONFIG_NAMES[field])])) as Raw;
}

/** The configuration the construct wrote into the custom resource's properties. */
export function configFromProperties(props: Record<string, unknown>): TokenConfig {
  const str = (v: unknown) => (v === undefined || v === null ? undefined : String(v));
  return parseConfig(readFields((n) => str(props[n.property])), 'the custom resource properties');
}

/** The configuration the construct wrote into the secret's tags: the rotation's source of truth. */
export function configFromTags(tags: ReadonlyArray<{ Key?: string; Value?: string }> | undefined, secretId: string): TokenConfig {
  const get = (key: string) => tags?.find((t) => t.Key === key)?.Value;
  return parseConfig(readFields((n) => get(n.tag)),
    `the tags of secret ${secretId} (${CONFIG_FIELDS.map((f) => CONFIG_NAMES[f].tag).join(', ')})`);
}
