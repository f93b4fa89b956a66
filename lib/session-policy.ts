/**
 * The rights one token carries, as IAM sees them. A CodeArtifact token is an STS service bearer
 * token: it keeps "principal tags, session tags, and session policies" of the principal that asked
 * for it (IAM User Guide, "Service bearer tokens"). So the handler asks for each token as the
 * stack's issuer role, assumed with this session policy, and the token opens exactly what its props
 * name, although every token of a stack shares one issuer role holding the union of their rights.
 *
 * Actions (CodeArtifact user guide: "Repository policies", "Packages overview" > "Publishing
 * permissions"; "AWS CodeArtifact permissions reference"):
 * - GetAuthorizationToken needs `codeartifact:GetAuthorizationToken` on the domain and
 *   `sts:GetServiceBearerToken` (no resource-level permissions; narrowed by `sts:AWSServiceName`);
 * - downloading needs `codeartifact:ReadFromRepository` on the repository
 *   (`arn:PARTITION:codeartifact:REGION:OWNER:repository/DOMAIN/REPOSITORY`);
 * - publishing needs `codeartifact:PublishPackageVersion` on the package
 *   (`...:package/DOMAIN/REPOSITORY/FORMAT/NAMESPACE/NAME`), and for Maven also
 *   `codeartifact:PutPackageMetadata`; NuGet publishing also reads, which READ covers.
 *
 * Free of aws-cdk-lib: the construct uses it to check sizes at synth time, the handler to build the
 * policy it passes to sts:AssumeRole.
 */
import { TokenConfig } from './contract';
import { partitionOf } from './endpoints';

export const GET_AUTHORIZATION_TOKEN = 'codeartifact:GetAuthorizationToken';
export const GET_SERVICE_BEARER_TOKEN = 'sts:GetServiceBearerToken';
/** The condition that narrows sts:GetServiceBearerToken to CodeArtifact. */
export const BEARER_TOKEN_CONDITION = { StringEquals: { 'sts:AWSServiceName': 'codeartifact.amazonaws.com' } };
export const READ_ACTIONS = ['codeartifact:ReadFromRepository'];
export const PUBLISH_ACTIONS = ['codeartifact:PublishPackageVersion', 'codeartifact:PutPackageMetadata'];

/**
 * The most characters AWS STS takes in AssumeRole's `Policy` (STS API reference, AssumeRole:
 * "The plaintext that you use for both inline and managed session policies can't exceed 2,048
 * characters").
 */
export const MAX_SESSION_POLICY_CHARS = 2048;

/** Where a token's resources live. */
export type TokenScope = Pick<TokenConfig, 'domain' | 'domainOwner' | 'domainRegion' | 'repositories' | 'access'>;

/** The resources a token's rights apply to. */
export interface TokenResources {
  readonly domainArn: string;
  /** Repository ARNs to read (a wildcard over the domain's repositories for every repository). */
  readonly read: string[];
  /** Package ARN patterns to publish to; empty for read-only access. */
  readonly publish: string[];
}

export function tokenResources(scope: TokenScope, partition = partitionOf(scope.domainRegion)): TokenResources {
  const prefix = `arn:${partition}:codeartifact:${scope.domainRegion}:${scope.domainOwner}`;
  const repositories = scope.repositories === '*' ? ['*'] : scope.repositories;
  return {
    domainArn: `${prefix}:domain/${scope.domain}`,
    read: repositories.map((r) => `${prefix}:repository/${scope.domain}/${r}`),
    publish: scope.access === 'read-and-publish' ? repositories.map((r) => `${prefix}:package/${scope.domain}/${r}/*`) : [],
  };
}

/** The session policy of one token, as compact JSON (its size counts against STS's limit). */
export function sessionPolicy(scope: TokenScope, partition?: string): string {
  const r = tokenResources(scope, partition);
  const statements: object[] = [
    { Effect: 'Allow', Action: GET_AUTHORIZATION_TOKEN, Resource: r.domainArn },
    { Effect: 'Allow', Action: GET_SERVICE_BEARER_TOKEN, Resource: '*', Condition: BEARER_TOKEN_CONDITION },
    { Effect: 'Allow', Action: READ_ACTIONS, Resource: r.read },
  ];
  if (r.publish.length > 0) {
    statements.push({ Effect: 'Allow', Action: PUBLISH_ACTIONS, Resource: r.publish });
  }
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}
