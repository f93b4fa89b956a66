import { createHash } from 'crypto';

/**
 * The contract between the construct (synth time) and its handler (deploy and rotation time): the
 * secret's value, the tags and custom-resource properties that carry a token's configuration, and
 * the rules both sides check it by. One concept, one name: a field's key in the secret's JSON value
 * is also its key here, and its tag and property are written only here.
 *
 * Kept free of aws-cdk-lib imports so the bundled handler stays small.
 */
import type { RepositoryClientSettings } from './client-settings';

/** Prefix of the tags (and warning ids) of this library. */
export const TAG_PREFIX = 'cdk-codeartifact-token';

/** The version of the secret's JSON schema, written into every value. */
export const SECRET_SCHEMA_VERSION = 1;

/** One token's configuration: what GetAuthorizationToken is called with, where, and what the token opens. */
export interface TokenConfig {
  readonly domain: string;
  readonly domainOwner: string;
  readonly domainRegion: string;
  readonly durationSeconds: number;
  /** The repositories the token opens, or `*` for every repository in the domain. */
  readonly repositories: readonly string[] | '*';
  /** What the token may do in them: the values of `RepositoryAccess`. */
  readonly access: AccessLevel;
}

/** The values of `RepositoryAccess` (lib/repository-access.ts), as tags and JSON carry them. */
export type AccessLevel = 'read' | 'read-and-publish';
export const ACCESS_LEVELS: readonly AccessLevel[] = ['read', 'read-and-publish'];

/** The secret's value (its JSON): the schema is documented in the README and must stay stable. */
export interface TokenSecretValue extends TokenConfig {
  readonly schemaVersion: number;
  readonly authorizationToken: string;
  /** ISO 8601, UTC. */
  readonly expiration: string;
  /** ISO 8601, UTC. */
  readonly issuedAt: string;
  /**
   * For each of `repositories`: its endpoint for each package format (IPv4), e.g.
   * `endpoints.shared.npm`. Empty when the token opens every repository: use `endpointTemplate`.
   */
  readonly endpoints: { readonly [repository: string]: { readonly [format: string]: string } };
  /** Any repository's endpoint: replace `{format}` and `{repository}`. */
  readonly endpointTemplate: string;
  /** The same for the dual-stack (IPv4 and IPv6) endpoints, where AWS documents them (commercial regions). */
  readonly dualStackEndpointTemplate?: string;
  /**
   * For each of `repositories`: what Maven, Cargo and NuGet are configured with besides the token
   * (see lib/client-settings.ts). Empty when the token opens every repository.
   */
  readonly clients?: { readonly [repository: string]: RepositoryClientSettings };
}

/** The fields of a `TokenConfig`, in the order they are written and checked. */
export const CONFIG_FIELDS: ReadonlyArray<keyof TokenConfig> = [
  'domain', 'domainOwner', 'domainRegion', 'durationSeconds', 'repositories', 'access',
];

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
  // Tags and properties carry the list as one string (see encodeRepositories).
  repositories: { tag: `${TAG_PREFIX}:repositories`, property: 'Repositories', prop: 'repositories' },
  access: { tag: `${TAG_PREFIX}:access`, property: 'Access', prop: 'access' },
};

/**
 * How a tag value (and, for symmetry, the custom-resource property) writes `repositories`: names
 * separated by spaces, or `:all` for every repository. A tag value may hold letters, digits,
 * spaces and `+ - = . _ : / @` (Secrets Manager TagResource), so not `*`; `:` cannot start a
 * repository name, so `:all` cannot be mistaken for one.
 */
export const ALL_REPOSITORIES_TAG_VALUE = ':all';
export const REPOSITORY_SEPARATOR = ' ';

/** The longest tag value Secrets Manager takes (TagResource, Tag: Value 0-256 characters). */
export const MAX_TAG_VALUE_CHARS = 256;

/**
 * The session tags the handler assumes the issuer role with, naming the token it asks for: its
 * identity and the configuration it is about to use. The issuer grants `sts:GetServiceBearerToken`
 * (without which GetAuthorizationToken issues nothing) only to sessions whose two tags equal one
 * token's values as the template wrote them, so the tags of a secret (which anyone with
 * `secretsmanager:TagResource` can change) drive the session policy but can never grant: a session for
 * any other configuration gets no token. A token keeps its session's tags ("Service bearer tokens",
 * IAM User Guide), so every request made with it carries them too.
 *
 * Two tags, each starting with the token's id, because one STS session tag value holds at most 256
 * characters (IAM and AWS STS quotas, "Session tags"); the id in both keeps one token's
 * configuration from being combined with another's repositories.
 */
export const SESSION_TAG_TOKEN = `${TAG_PREFIX}:token`;
export const SESSION_TAG_REPOSITORIES = `${TAG_PREFIX}:repositories`;
/** The most characters STS takes in a session tag value (IAM and AWS STS quotas). */
export const MAX_SESSION_TAG_VALUE_CHARS = 256;
/**
 * Characters of a token id (hex): 48 bits, so that no two tokens of a stack share one (for 500
 * tokens, the odds that any two do are about 1 in 10^9), and short, since the issuer's policies list
 * each token's id twice.
 */
export const TOKEN_ID_CHARS = 12;
/** What a session tag value adds before the repositories: the id and a space. */
export const REPOSITORIES_SESSION_TAG_PREFIX_CHARS = TOKEN_ID_CHARS + 1;

/**
 * The tag CloudFormation puts on every resource it creates, naming the resource's logical id in the
 * template. Like `aws:cloudformation:stack-id` no user can set or change it, so together they name a
 * token secret by the template alone.
 */
export const CLOUDFORMATION_LOGICAL_ID_TAG = 'aws:cloudformation:logical-id';

/**
 * A token's id: derived from its secret's logical id, which only the template decides. A hash rather
 * than the logical id itself so that it has a fixed, short length in the issuer's policies (a logical
 * id may have 255 characters). The construct and the handler both compute it here.
 */
export function tokenIdOf(logicalId: string): string {
  return createHash('sha256').update(logicalId).digest('hex').slice(0, TOKEN_ID_CHARS);
}

/**
 * The parts of the two session tag values, in order, joined by a single space: the construct joins
 * them with `Fn::Join` (parts may resolve at deploy time), the handler with `join(' ')`. `repositories`
 * is the configuration's tag form (names separated by spaces, or `:all`).
 */
export function sessionTagParts(id: string, c: { [K in keyof TokenConfig]: string }): { token: string[]; repositories: string[] } {
  return {
    token: [id, c.durationSeconds, c.access, c.domainOwner, c.domainRegion, c.domain],
    repositories: [id, c.repositories],
  };
}

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
/** CodeArtifact repository names (CreateRepository: `repository`). */
export const REPOSITORY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{1,99}$/;
/** The longest repository name `REPOSITORY_PATTERN` allows. */
export const MAX_REPOSITORY_LENGTH = 100;
export const MIN_DURATION_SECONDS = 900;
export const MAX_DURATION_SECONDS = 43200;

/**
 * The environment variable that gives the handler its stack's issuer role: the identity every token
 * it issues carries (see lib/session-policy.ts).
 */
export const ISSUER_ROLE_ARN_ENV = 'ISSUER_ROLE_ARN';

/**
 * The environment variable that gives the handler its own stack's id: it writes only into secrets
 * that CloudFormation created in that stack (see lib/handler/ownership.ts).
 */
export const STACK_ID_ENV = 'STACK_ID';

/**
 * The tag CloudFormation puts on every resource it creates, naming the stack. Tags with the `aws:`
 * prefix cannot be set, changed or removed by users (Secrets Manager TagResource: "Do not use the
 * aws: prefix in your tag names or values because AWS reserves it"; CloudFormation user guide,
 * "Resource tagging").
 */
export const CLOUDFORMATION_STACK_ID_TAG = 'aws:cloudformation:stack-id';

/**
 * The secret's value from its creation until the first token is written a few seconds later (instead
 * of CloudFormation's random password, which is not JSON): valid JSON, no token. A reader that gets it
 * sees `placeholder: true` and no `authorizationToken`.
 */
export const PLACEHOLDER_SECRET_VALUE = {
  schemaVersion: SECRET_SCHEMA_VERSION,
  placeholder: true,
  message: 'No token yet: the stack writes the first one while it deploys.',
} as const;

/**
 * The freshness metrics the handler prints in CloudWatch embedded metric format on every token it
 * issues and stores (lib/handler/metrics.ts), and the construct's `metricTokensIssued()` and
 * `alarmOnStaleToken()` read: the namespace, metric names and dimension must match exactly.
 */
export const METRIC_NAMESPACE = 'CdkCodeArtifactToken';
/** One per token issued and stored (Count). */
export const METRIC_TOKENS_ISSUED = 'TokensIssued';
/** Seconds from the issue to the token's expiration (Seconds). */
export const METRIC_TOKEN_VALIDITY_SECONDS = 'TokenValiditySeconds';
/**
 * The one dimension: the secret's full ARN, which the construct knows at synth time
 * (`secret.secretArn`) and the handler reads from DescribeSecret's `ARN`, a call it already makes.
 * The secret's name would not do: CloudFormation generates it with a random suffix unless
 * `secretName` is set, and the construct cannot derive it from the ARN without a token expression.
 */
export const METRIC_DIMENSION_SECRET_ARN = 'SecretArn';
