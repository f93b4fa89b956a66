import { Duration, Token } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import {
  ACCOUNT_PATTERN,
  DOMAIN_PATTERN,
  MAX_DOMAIN_LENGTH,
  MAX_DURATION_SECONDS,
  MAX_REPOSITORY_LENGTH,
  MAX_TAG_VALUE_CHARS,
  MIN_DURATION_SECONDS,
  REGION_PATTERN,
  REPOSITORY_PATTERN,
  REPOSITORY_SEPARATOR,
} from './contract';
import { RepositoryAccess } from './repository-access';
import { MAX_SESSION_POLICY_CHARS, sessionPolicy } from './session-policy';

/** Secrets Manager's minimum rotation interval. */
export const MIN_ROTATION_HOURS = 4;
/** The rotation window we ask for: the longest a scheduled rotation may start late. */
export const ROTATION_WINDOW_HOURS = 1;
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
}

/** A warning users may acknowledge, with the id they acknowledge it by. */
export interface SettingsWarning {
  readonly id: string;
  readonly message: string;
}

export interface ValidatedSettings {
  readonly errors: string[];
  readonly warnings: SettingsWarning[];
  /** The rotation interval in whole hours, explicit or derived. */
  readonly rotationHours: number;
}

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

  errors.push(...repositoryErrors(s));
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

  let rotationHours = deriveRotationHours(typeof durationSeconds === 'number' ? durationSeconds : undefined);
  if (s.rotationInterval !== undefined && !s.rotationInterval.isUnresolved()) {
    const millis = s.rotationInterval.toMilliseconds();
    const hours = millis / 3_600_000;
    if (!Number.isInteger(hours)) {
      errors.push(`rotationInterval must be a whole number of hours (Secrets Manager schedules rate(N hours)), got ${s.rotationInterval.toHumanString()}`);
    } else if (hours < MIN_ROTATION_HOURS) {
      errors.push(`rotationInterval must be at least ${MIN_ROTATION_HOURS} hours (the Secrets Manager minimum), got ${s.rotationInterval.toHumanString()}`);
    } else {
      rotationHours = hours;
    }
  }

  if (typeof durationSeconds === 'number' && durationSeconds > 0 && errors.length === 0) {
    const which = s.rotationInterval === undefined ? `the derived rotationInterval (${rotationHours} hours)` : `rotationInterval (${rotationHours} hours)`;
    if (rotationHours * 3600 >= durationSeconds) {
      errors.push(`${which} must be shorter than tokenDuration, got tokenDuration ${s.tokenDuration.toHumanString()}: tokens would expire before they are replaced. Use a tokenDuration of at least ${MIN_ROTATION_HOURS + 2} hours.`);
    } else {
      const leftSeconds = worstCaseValiditySeconds(durationSeconds, rotationHours);
      if (leftSeconds < 3600) {
        warnings.push({
          id: 'tokenValidityMargin',
          message: `with tokenDuration ${s.tokenDuration.toHumanString()} and ${which}, a token read just before a late rotation has only ${Math.round(leftSeconds / 60)} minutes left (rotation can start up to ${ROTATION_WINDOW_HOURS} hour late). Lengthen tokenDuration or shorten rotationInterval.`,
        });
      }
    }
  }

  return { errors, warnings, rotationHours };
}

/**
 * The default rotation interval: a token read at the worst moment still has about half its
 * lifetime left, and never less often than Secrets Manager allows.
 */
export function deriveRotationHours(durationSeconds: number | undefined): number {
  if (durationSeconds === undefined || durationSeconds === 0) {
    return MIN_ROTATION_HOURS;
  }
  const hours = Math.floor((durationSeconds / 3600 - ROTATION_WINDOW_HOURS) / 2);
  return Math.max(MIN_ROTATION_HOURS, hours);
}

/** The least validity left on a token read at any moment: duration - interval - rotation window. */
export function worstCaseValiditySeconds(durationSeconds: number, rotationHours: number): number {
  return durationSeconds - (rotationHours + ROTATION_WINDOW_HOURS) * 3600;
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
  if (tagChars > MAX_TAG_VALUE_CHARS) {
    errors.push(`repositories must fit in one secret tag of ${MAX_TAG_VALUE_CHARS} characters when joined by spaces (the rotation reads them from it), got ${repos.length} names taking ${tagChars} characters${repos.some((r) => Token.isUnresolved(r)) ? ' (deploy-time names counted at 100)' : ''}`);
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
