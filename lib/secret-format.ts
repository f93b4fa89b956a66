/**
 * Shared by the construct and the handler: the names the secret's tags and value use.
 * Kept free of aws-cdk-lib imports so the bundled handler stays small.
 */

/** Prefix of the tags that carry a token's configuration on its secret. */
export const TAG_PREFIX = 'cdk-codeartifact-token';

/**
 * The tags the rotation reads the token's configuration from, so that it never depends on the
 * previous secret value being readable.
 */
export const CONFIG_TAGS = {
  domain: `${TAG_PREFIX}:domain`,
  domainOwner: `${TAG_PREFIX}:domain-owner`,
  region: `${TAG_PREFIX}:region`,
  durationSeconds: `${TAG_PREFIX}:duration-seconds`,
} as const;

/** The version of the secret's JSON schema, written into every value. */
export const SECRET_SCHEMA_VERSION = 1;

/** Allowed values, shared by the synth-time validation and the handler's deploy-time one. */
export const DOMAIN_PATTERN = /^[a-z][a-z0-9-]{0,48}[a-z0-9]$/;
export const ACCOUNT_PATTERN = /^\d{12}$/;
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
export const MIN_DURATION_SECONDS = 900;
export const MAX_DURATION_SECONDS = 43200;
