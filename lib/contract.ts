/**
 * The contract between the construct (synth time) and its handler (deploy and rotation time): the
 * secret's value, the tags and custom-resource properties that carry a token's configuration, and
 * the rules both sides check it by. One concept, one name: a field's key in the secret's JSON value
 * is also its key here, and its tag and property are written only here.
 *
 * Kept free of aws-cdk-lib imports so the bundled handler stays small.
 */

/** Prefix of the tags (and warning ids) of this library. */
export const TAG_PREFIX = 'cdk-codeartifact-token';

/** The version of the secret's JSON schema, written into every value. */
export const SECRET_SCHEMA_VERSION = 1;

/** One token's configuration: what GetAuthorizationToken is called with, and where. */
export interface TokenConfig {
  readonly domain: string;
  readonly domainOwner: string;
  readonly domainRegion: string;
  readonly durationSeconds: number;
}

/** The secret's value (its JSON): the schema is documented in the README and must stay stable. */
export interface TokenSecretValue extends TokenConfig {
  readonly schemaVersion: number;
  readonly authorizationToken: string;
  /** ISO 8601, UTC. */
  readonly expiration: string;
  /** ISO 8601, UTC. */
  readonly issuedAt: string;
}

/** The fields of a `TokenConfig`, in the order they are written and checked. */
export const CONFIG_FIELDS: ReadonlyArray<keyof TokenConfig> = ['domain', 'domainOwner', 'domainRegion', 'durationSeconds'];

/** Where one configuration field travels, under which name. */
export interface ConfigFieldNames {
  /**
   * The secret tag the rotation reads it from (kebab-case, like the key), so that the rotation never
   * depends on the previous secret value being readable.
   */
  readonly tag: string;
  /** The custom-resource property the deploy-time issue reads it from (PascalCase, as CloudFormation names them). */
  readonly property: string;
  /** The construct prop the user wrote it in: deploy-time errors name it, since that is what to fix. */
  readonly prop: string;
}

/** For each configuration field: its tag, its custom-resource property and its construct prop. */
export const CONFIG_NAMES: { readonly [K in keyof TokenConfig]: ConfigFieldNames } = {
  domain: { tag: `${TAG_PREFIX}:domain`, property: 'Domain', prop: 'domain' },
  domainOwner: { tag: `${TAG_PREFIX}:domain-owner`, property: 'DomainOwner', prop: 'domainOwner' },
  domainRegion: { tag: `${TAG_PREFIX}:domain-region`, property: 'DomainRegion', prop: 'domainRegion' },
  // The prop is a Duration; the tag, the property and the JSON key carry its value in whole seconds,
  // so their name says the unit (and matches GetAuthorizationToken's own `durationSeconds`).
  durationSeconds: { tag: `${TAG_PREFIX}:duration-seconds`, property: 'DurationSeconds', prop: 'tokenDuration' },
};

/** The custom-resource property that names the secret to issue the token into. */
export const SECRET_ID_PROPERTY = 'SecretId';

/**
 * The tag that marks a secret as one of a stack's token secrets (its value is the stack's id): the
 * handler's IAM condition lets it read and write only secrets that carry it.
 */
export const STACK_TAG = `${TAG_PREFIX}:stack`;

/**
 * The priority of the tags this library sets on a secret: above `Tags.of(...).add` (100) and
 * `Tags.of(...).remove` (200) at their defaults, so that a user's tag aspect cannot replace or drop the
 * tags the rotation reads and the handler's IAM condition relies on.
 */
export const TAG_PRIORITY = 1000;

/** Allowed values, shared by the synth-time validation and the handler's deploy-time one. */
export const DOMAIN_PATTERN = /^[a-z][a-z0-9-]{0,48}[a-z0-9]$/;
/** The longest domain name `DOMAIN_PATTERN` allows. */
export const MAX_DOMAIN_LENGTH = 50;
export const ACCOUNT_PATTERN = /^\d{12}$/;
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
export const MIN_DURATION_SECONDS = 900;
export const MAX_DURATION_SECONDS = 43200;
