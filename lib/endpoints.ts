/**
 * Repository endpoint URLs, computed rather than asked for (GetRepositoryEndpoint would cost an API
 * call and a permission per repository and format). Shared by the construct (`repositoryEndpoint()`)
 * and the handler (the secret's `endpoints`); free of aws-cdk-lib so the handler stays small.
 *
 * The form is the one GetRepositoryEndpoint returns, `https://DOMAIN-OWNER.d.codeartifact.REGION.
 * amazonaws.com/FORMAT/REPOSITORY/` (CodeArtifact API reference, GetRepositoryEndpoint; AWS CLI
 * example `test-domain-111122223333.d.codeartifact.us-west-2.amazonaws.com/npm/test-repo/`). The DNS
 * suffix follows the partition, as every AWS endpoint does. Dual-stack (IPv4 and IPv6) endpoints use
 * `codeartifact.REGION.on.aws` instead (CodeArtifact user guide, "Configure and use Cargo": "To use a
 * dualstack endpoint, use the codeartifact.REGION.on.aws endpoint"); AWS documents them for the
 * commercial partition only, so they are given only there.
 */

/** The package formats, as they appear in endpoint paths (the values of `PackageFormat`). */
export const PACKAGE_FORMATS = ['npm', 'pypi', 'maven', 'nuget', 'generic', 'ruby', 'swift', 'cargo'] as const;
export type PackageFormatName = typeof PACKAGE_FORMATS[number];

/** The partition of a region, by its documented prefix. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The DNS suffix of a partition's endpoints. */
export function dnsSuffixOf(partition: string): string {
  return partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
}

export interface EndpointParts {
  readonly domain: string;
  readonly domainOwner: string;
  readonly domainRegion: string;
  /** `{format}` and `{repository}` placeholders are kept as they are. */
  readonly format: string;
  readonly repository: string;
  /** The DNS suffix, when it cannot be derived from the region (a deploy-time value). */
  readonly dnsSuffix?: string;
}

/** The IPv4 endpoint of a repository for one format. */
export function repositoryEndpoint(p: EndpointParts): string {
  const suffix = p.dnsSuffix ?? dnsSuffixOf(partitionOf(p.domainRegion));
  return `https://${p.domain}-${p.domainOwner}.d.codeartifact.${p.domainRegion}.${suffix}/${p.format}/${p.repository}/`;
}

/** The dual-stack endpoint of a repository for one format, where AWS documents one. */
export function dualStackRepositoryEndpoint(p: EndpointParts): string | undefined {
  if (partitionOf(p.domainRegion) !== 'aws') return undefined;
  return `https://${p.domain}-${p.domainOwner}.codeartifact.${p.domainRegion}.on.aws/${p.format}/${p.repository}/`;
}
