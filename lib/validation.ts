import { Duration, Token } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import {
  ACCOUNT_PATTERN,
  DOMAIN_PATTERN,
  MAX_DOMAIN_LENGTH,
  MAX_DURATION_SECONDS,
  MAX_REPOSITORY_LENGTH,
  MAX_SESSION_TAG_VALUE_CHARS,
  MAX_TAG_VALUE_CHARS,
  MIN_DURATION_SECONDS,
  REGION_PATTERN,
  REPOSITORIES_SESSION_TAG_PREFIX_CHARS,
  REPOSITORY_PATTERN,
  REPOSITORY_SEPARATOR,
} from './contract';
import { RepositoryAccess } from './repository-access';
import { MAX_SESSION_POLICY_CHARS, sessionPolicy } from './session-policy';

/** Secrets Manager's minimum rotation interval. */
export const MIN_ROTATION_HOURS = 4;
/** The rotation window we ask for: the longest a scheduled rotation may start late. */
export const ROTATION_WINDOW_HOURS = 1;
/**
 * How late a rotation started by EventBridge Scheduler may land: Scheduler invokes its target within
 * the minute ("All schedule types on EventBridge Scheduler invoke their targets with 60 second
 * precision", EventBridge Scheduler user guide, "Schedule types"), and the rotation's four handler
 * invocations take seconds (each bounded by the handler's 2-minute timeout). 5 minutes covers both.
 */
export const SCHEDULER_LATENESS_MINUTES = 5;
/**
 * The shortest interval we schedule. Scheduler's `rate()` accepts 1 minute, but a rotation must end
 * before the next RotateSecret (which fails while one is in progress: RotateSecret API reference),
 * and the shortest tokens (15 minutes) get 5 minutes by default.
 */
export const MIN_SCHEDULER_INTERVAL_MINUTES = 5;
/** The least validity a token read at any moment must keep: what testSecret demands of a new token. */
export const MIN_VALIDITY_LEFT_MINUTES = 5;
/**
 * The rotation rules a Scheduler-driven RotateSecret sets on the secret: Secrets Manager's own
 * schedule at its minimum, a fallback should the Scheduler schedule stop.
 */
export const SCHEDULER_FALLBACK_RULES = { ScheduleExpression: `rate(${MIN_ROTATION_HOURS} hours)`, Duration: `${ROTATION_WINDOW_HOURS}h` };
const SECRET_NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

/** The inputs that validation needs; unresolved values are skipped (the handler checks them). */
export interface TokenSettings {
  readonly domain: string;
  readonly domainOwner: string;
  readonly domainRegion: string;
  readonly tokenDuration: Duration;
  readonly rotationInterval?: Duration;
  readonly secretName?: string;
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
  readonly handlerReservedConcurrency?: number;
  /** Undefined: every repository in the domain. */
  readonly repositories?: string[];
  readonly access: RepositoryAccess;
  /** The regions the secret is replicated to. */
  readonly replicaRegions?: ReadonlyArray<{ readonly region: string }>;
  /** The stack's region, where the primary secret lives. */
  readonly stackRegion: string;
}

/** A warning users may acknowledge, with the id they acknowledge it by. */
export interface SettingsWarning {
  readonly id: string;
  readonly message: string;
}

/**
 * Who starts each rotation. Secrets Manager's own schedule (`rate(N hours)`, N at least 4), or, for
 * shorter or finer intervals, an EventBridge Scheduler schedule (`rate(N minutes)`) calling RotateSecret.
 */
export type RotationPlan =
  | { readonly trigger: 'secrets-manager'; readonly hours: number }
  | { readonly trigger: 'scheduler'; readonly minutes: number };

export interface ValidatedSettings {
  readonly errors: string[];
  readonly warnings: SettingsWarning[];
  /** The rotation interval, explicit or derived, and who keeps it. */
  readonly rotation: RotationPlan;
}

/** The interval of a plan in minutes. */
export function intervalMinutes(plan: RotationPlan): number {
  return plan.trigger === 'secrets-manager' ? plan.hours * 60 : plan.minutes;
}

/** How late a rotation of the plan may land, in minutes. */
export function latenessMinutes(plan: RotationPlan): number {
  return plan.trigger === 'secrets-manager' ? ROTATION_WINDOW_HOURS * 60 : SCHEDULER_LATENESS_MINUTES;
}

const minutesText = (m: number) => (m % 60 === 0 ? `${m / 60} hour${m === 60 ? '' : 's'}` : m > 60 ? `${Math.floor(m / 60)}h${m % 60}m (${m} minutes)` : `${m} minutes`);

const quote = (value: unknown) => JSON.stringify(value);

/**
 * Every synth-time rule in one place. Returns all errors at once so a user fixes them in one pass.
 */
export function validateSettings(s: TokenSettings): ValidatedSettings {
  const errors: string[] = [];
  const warnings: SettingsWarning[] = [];

  if (!Token.isUnresolved(s.domain) && !DOMAIN_PATTERN.test(s.domain)) {
    errors.push(`domain must be 2-50 characters of lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen (${DOMAIN_PATTERN}), got ${quote(s.domain)}`);
  }
  if (!Token.isUnresolved(s.domainOwner) && !ACCOUNT_PATTERN.test(s.domainOwner)) {
    errors.push(`domainOwner must be a 12-digit AWS account id without dashes or spaces, got ${quote(s.domainOwner)}`);
  }
  if (!Token.isUnresolved(s.domainRegion) && !REGION_PATTERN.test(s.domainRegion)) {
    errors.push(`domainRegion must be an AWS region name such as "eu-west-1", got ${quote(s.domainRegion)}`);
  }
  if (s.secretName !== undefined && !Token.isUnresolved(s.secretName) && !SECRET_NAME_PATTERN.test(s.secretName)) {
    errors.push(`secretName must be 1-512 characters of letters, digits and /_+=.@-, got ${quote(s.secretName)}`);
  }

  if (!s.vpc && (s.vpcSubnets || s.securityGroups)) {
    const given = [
      s.vpcSubnets ? `vpcSubnets ${describeSubnets(s.vpcSubnets)}` : undefined,
      s.securityGroups ? `securityGroups [${s.securityGroups.map((g) => g.node.path).join(', ')}]` : undefined,
    ].filter((g) => g !== undefined).join(' and ');
    errors.push(`vpcSubnets and securityGroups need vpc: the handler runs outside any VPC unless vpc is set, got ${given} without vpc`);
  }

  errors.push(...repositoryErrors(s), ...replicaErrors(s));
  const rc = s.handlerReservedConcurrency;
  if (rc !== undefined && !Token.isUnresolved(rc) && (!Number.isInteger(rc) || rc < 1)) {
    errors.push(`handlerReservedConcurrency must be a whole number of at least 1 (0 would stop every token from being issued), got ${quote(rc)}`);
  }

  const durationSeconds = wholeSeconds(s.tokenDuration);
  if (durationSeconds === 'fractional') {
    errors.push(`tokenDuration must be a whole number of seconds, got ${s.tokenDuration.toHumanString()}`);
  } else if (durationSeconds === 0) {
    warnings.push({
      id: 'tokenDurationSessionExpiry',
      message: 'tokenDuration 0 makes each token expire with the issuer role session that asked for it, one hour (the longest a chained role session lasts), while a new token comes only with each rotation; readers may get an expired token. Prefer an explicit duration (15 minutes to 12 hours).',
    });
  } else if (typeof durationSeconds === 'number' && (durationSeconds < MIN_DURATION_SECONDS || durationSeconds > MAX_DURATION_SECONDS)) {
    errors.push(`tokenDuration must be 0 or between 15 minutes and 12 hours (${MIN_DURATION_SECONDS}-${MAX_DURATION_SECONDS} seconds), got ${s.tokenDuration.toHumanString()} (${durationSeconds} seconds)`);
  }

  const knownSeconds = typeof durationSeconds === 'number' ? durationSeconds : undefined;
  let rotation = deriveRotation(knownSeconds);
  if (s.rotationInterval !== undefined && !s.rotationInterval.isUnresolved()) {
    const explicit = planFor(s.rotationInterval);
    if (typeof explicit === 'string') {
      errors.push(explicit);
    } else {
      rotation = explicit;
    }
  }

  if (knownSeconds !== undefined && knownSeconds > 0 && errors.length === 0) {
    const minutes = intervalMinutes(rotation);
    const which = s.rotationInterval === undefined ? `the derived rotationInterval (${minutesText(minutes)})` : `rotationInterval (${minutesText(minutes)})`;
    const durationText = `tokenDuration ${s.tokenDuration.toHumanString()}`;
    const leftSeconds = worstCaseValiditySeconds(knownSeconds, rotation);
    const lateness = latenessMinutes(rotation);
    // The longest interval that keeps the minimum: through Scheduler, whose rotations land soonest.
    const longest = Math.floor(knownSeconds / 60) - SCHEDULER_LATENESS_MINUTES - MIN_VALIDITY_LEFT_MINUTES;
    if (minutes * 60 >= knownSeconds) {
      errors.push(`${which} must be shorter than tokenDuration, got ${durationText}: tokens would expire before they are replaced. Leave rotationInterval out for a derived one, or make it at most ${minutesText(Math.max(longest, 1))}.`);
    } else if (leftSeconds < MIN_VALIDITY_LEFT_MINUTES * 60) {
      errors.push(`${which} must leave a token at least ${MIN_VALIDITY_LEFT_MINUTES} minutes of validity when it is read, got ${durationText}: `
        + `a token read just before a late rotation (up to ${lateness} minutes late) would have ${Math.round(leftSeconds / 60)} minutes left. `
        + (longest >= MIN_SCHEDULER_INTERVAL_MINUTES ? `Make rotationInterval at most ${minutesText(longest)}, or leave it out.` : 'Lengthen tokenDuration.'));
    } else if (leftSeconds < Math.min(3600, knownSeconds / 4)) {
      warnings.push({
        id: 'tokenValidityMargin',
        message: `with ${durationText} and ${which}, a token read just before a late rotation has only ${Math.round(leftSeconds / 60)} minutes left (rotation can start up to ${minutesText(lateness)} late). Lengthen tokenDuration or shorten rotationInterval.`,
      });
    }
  }

  return { errors, warnings, rotation };
}

/**
 * The default rotation interval: a token read at the worst moment still has about half its lifetime
 * left. Secrets Manager's own schedule keeps it where it can (whole hours, at least 4: tokens of 9
 * hours and more, 5 hours for the default 12); shorter tokens are rotated by EventBridge Scheduler
 * every `(tokenDuration - 5 minutes) / 2` minutes, 5 minutes for 15-minute tokens.
 */
export function deriveRotation(durationSeconds: number | undefined): RotationPlan {
  if (durationSeconds === undefined || durationSeconds === 0) {
    return { trigger: 'secrets-manager', hours: MIN_ROTATION_HOURS };
  }
  const hours = Math.floor((durationSeconds / 3600 - ROTATION_WINDOW_HOURS) / 2);
  if (hours >= MIN_ROTATION_HOURS) {
    return { trigger: 'secrets-manager', hours };
  }
  const minutes = Math.floor((durationSeconds / 60 - SCHEDULER_LATENESS_MINUTES) / 2);
  return { trigger: 'scheduler', minutes: Math.max(MIN_SCHEDULER_INTERVAL_MINUTES, minutes) };
}

/** An explicit rotationInterval's plan, or why it cannot be kept. */
function planFor(interval: Duration): RotationPlan | string {
  const millis = interval.toMilliseconds();
  const hours = millis / 3_600_000;
  const minutes = millis / 60_000;
  if (Number.isInteger(hours) && hours >= MIN_ROTATION_HOURS) {
    return { trigger: 'secrets-manager', hours };
  }
  if (!Number.isInteger(minutes)) {
    return `rotationInterval must be whole minutes (EventBridge Scheduler's rate(N minutes)), or whole hours of at least ${MIN_ROTATION_HOURS} (Secrets Manager's rate(N hours)), got ${interval.toHumanString()}`;
  }
  if (minutes < MIN_SCHEDULER_INTERVAL_MINUTES) {
    return `rotationInterval must be at least ${MIN_SCHEDULER_INTERVAL_MINUTES} minutes (EventBridge Scheduler allows 1, but a rotation must finish before the next one starts), got ${interval.toHumanString()}`;
  }
  return { trigger: 'scheduler', minutes };
}

/** The least validity left on a token read at any moment: duration - interval - how late a rotation may land. */
export function worstCaseValiditySeconds(durationSeconds: number, plan: RotationPlan): number {
  return durationSeconds - (intervalMinutes(plan) + latenessMinutes(plan)) * 60;
}

function wholeSeconds(d: Duration): number | 'fractional' | undefined {
  if (d.isUnresolved()) {
    return undefined;
  }
  const millis = d.toMilliseconds();
  return millis % 1000 === 0 ? millis / 1000 : 'fractional';
}

/** A subnet selection as the user wrote it, short enough to quote in a message. */
function describeSubnets(selection: ec2.SubnetSelection): string {
  const parts = [
    selection.subnetType !== undefined ? `subnetType: ${quote(selection.subnetType)}` : undefined,
    selection.subnetGroupName !== undefined ? `subnetGroupName: ${quote(selection.subnetGroupName)}` : undefined,
    selection.availabilityZones !== undefined ? `availabilityZones: ${quote(selection.availabilityZones)}` : undefined,
    selection.subnets !== undefined ? `subnets: [${selection.subnets.map((subnet) => subnet.node.path).join(', ')}]` : undefined,
    selection.subnetFilters !== undefined ? `subnetFilters: ${selection.subnetFilters.length} filter(s)` : undefined,
    selection.onePerAz !== undefined ? `onePerAz: ${selection.onePerAz}` : undefined,
  ].filter((p) => p !== undefined);
  return `{ ${parts.join(', ')} }`;
}

function replicaErrors(s: TokenSettings): string[] {
  const replicas = s.replicaRegions;
  if (replicas === undefined) {
    return [];
  }
  if (Token.isUnresolved(replicas)) {
    return ['replicaRegions must be a list written at synth time (its regions may be deploy-time values)'];
  }
  const errors: string[] = [];
  const regions = replicas.map((r) => r.region).filter((r) => !Token.isUnresolved(r));
  const bad = regions.filter((r) => !REGION_PATTERN.test(r));
  if (bad.length > 0) {
    errors.push(`replicaRegions must name AWS regions such as "us-east-1", got ${bad.map(quote).join(', ')}`);
  }
  if (!Token.isUnresolved(s.stackRegion) && regions.includes(s.stackRegion)) {
    errors.push(`replicaRegions must not include the stack's own region, where the primary secret is, got ${quote(s.stackRegion)}`);
  }
  const dupes = regions.filter((r, i) => regions.indexOf(r) !== i);
  if (dupes.length > 0) {
    errors.push(`replicaRegions must not repeat a region, got ${[...new Set(dupes)].map(quote).join(', ')} more than once`);
  }
  return errors;
}

/** Stands in for a value that resolves only at deploy time, at its longest. */
const longest = (value: string, max: number) => (Token.isUnresolved(value) ? 'x'.repeat(max) : value);

function repositoryErrors(s: TokenSettings): string[] {
  const errors: string[] = [];
  if (!Object.values(RepositoryAccess).includes(s.access)) {
    errors.push(`access must be one of ${Object.values(RepositoryAccess).map(quote).join(', ')}, got ${quote(s.access)}`);
  }
  const repos = s.repositories;
  if (repos === undefined) {
    if (s.access === RepositoryAccess.READ_AND_PUBLISH) {
      errors.push('access READ_AND_PUBLISH needs repositories: name the repositories the token may publish to (publishing to every repository in the domain is not offered)');
    }
    return errors;
  }
  if (Token.isUnresolved(repos)) {
    errors.push('repositories must be a list written at synth time (its elements may be deploy-time values, such as CfnRepository.attrName)');
    return errors;
  }
  if (repos.length === 0) {
    errors.push('repositories must name at least one repository, or be left out for every repository in the domain, got []');
  }
  const bad = repos.filter((r) => !Token.isUnresolved(r) && !REPOSITORY_PATTERN.test(r));
  if (bad.length > 0) {
    errors.push(`repositories must be CodeArtifact repository names: 2-100 letters, digits, dots, hyphens and underscores, starting with a letter or digit (${REPOSITORY_PATTERN}), got ${bad.map(quote).join(', ')}`);
  }
  const dupes = repos.filter((r, i) => !Token.isUnresolved(r) && repos.indexOf(r) !== i);
  if (dupes.length > 0) {
    errors.push(`repositories must not repeat a name, got ${[...new Set(dupes)].map(quote).join(', ')} more than once`);
  }
  if (errors.length > 0) {
    return errors;
  }
  const names = repos.map((r) => longest(r, MAX_REPOSITORY_LENGTH));
  const tagChars = names.join(REPOSITORY_SEPARATOR).length;
  // The session tag that binds the repositories to the token holds its id too (contract.ts).
  const maxChars = Math.min(MAX_TAG_VALUE_CHARS, MAX_SESSION_TAG_VALUE_CHARS - REPOSITORIES_SESSION_TAG_PREFIX_CHARS);
  if (tagChars > maxChars) {
    errors.push(`repositories must take at most ${maxChars} characters when joined by spaces (a secret tag holds at most ${MAX_TAG_VALUE_CHARS}, and the STS session tag that binds them to the token at most ${MAX_SESSION_TAG_VALUE_CHARS}, of which the token's id and a space take ${REPOSITORIES_SESSION_TAG_PREFIX_CHARS}), got ${repos.length} names taking ${tagChars} characters${repos.some((r) => Token.isUnresolved(r)) ? ' (deploy-time names counted at 100)' : ''}`);
  }
  // The longest session policy these repositories can make: deploy-time values at their longest,
  // and the longest partition name.
  const policyChars = sessionPolicy({
    domain: longest(s.domain, MAX_DOMAIN_LENGTH),
    domainOwner: '123456789012',
    domainRegion: Token.isUnresolved(s.domainRegion) ? 'ap-southeast-5x' : s.domainRegion,
    repositories: names,
    access: s.access === RepositoryAccess.READ_AND_PUBLISH ? 'read-and-publish' : 'read',
  }, Token.isUnresolved(s.domainRegion) ? 'aws-us-gov' : undefined).length;
  if (policyChars > MAX_SESSION_POLICY_CHARS) {
    errors.push(`repositories: ${repos.length} repositories make a session policy of up to ${policyChars} characters, more than the ${MAX_SESSION_POLICY_CHARS} AWS STS accepts (each token is issued with a session policy that names its repositories); name fewer repositories, or leave repositories out for every repository in the domain`);
  }
  return errors;
}
