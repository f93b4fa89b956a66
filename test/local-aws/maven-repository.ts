/**
 * One CodeArtifact repository's Maven files, for `PackageRepositories`: the Maven 2 repository layout
 * that mvn and Gradle read and write over plain HTTP (`GET`/`HEAD` of a path to download, `PUT` of a
 * path to deploy; Apache Maven, "Introduction to Repositories" and the maven-deploy-plugin), which
 * CodeArtifact serves at `https://DOMAIN-OWNER.d.codeartifact.REGION.amazonaws.com/maven/REPO/`.
 *
 *   GROUP/PATH/ARTIFACT/VERSION/ARTIFACT-VERSION[-CLASSIFIER].EXT   a file of a version (pom, jar, ...)
 *   GROUP/PATH/ARTIFACT/maven-metadata.xml                          the versions of an artifact
 *   any of them + .sha1 / .md5 / .sha256 / .sha512                  its checksum
 *
 * A deploy is authorized for the package `.../maven/GROUP.ID/ARTIFACT` (the group id is the
 * package's namespace); see `mavenRoute`. An asset that exists can be put again only with the same
 * content, otherwise 409 (CodeArtifact user guide, "Packages overview" > "Overwriting package assets").
 * `maven-metadata.xml` is served as deployed, or, for a seeded artifact, made from its versions.
 * Checksums nobody put are computed from the file they name.
 */
import { createHash } from 'crypto';

export type MavenRoute =
  | { kind: 'maven-get'; path: string }
  | { kind: 'maven-put'; path: string; groupId: string; artifactId: string };

const CHECKSUMS: Record<string, string> = { '.sha1': 'sha1', '.md5': 'md5', '.sha256': 'sha256', '.sha512': 'sha512' };
const SEGMENT = /^[A-Za-z0-9._-]+$/;

/**
 * The route of a Maven request, or undefined for one that is not a file of the layout. For a `PUT`,
 * the coordinates come from the path: `.../ARTIFACT/VERSION/ARTIFACT-VERSION...` for a version's file,
 * `.../ARTIFACT/maven-metadata.xml` for an artifact's metadata, `.../ARTIFACT/VERSION-SNAPSHOT/maven-metadata.xml`
 * for a snapshot's.
 */
export function mavenRoute(method: string, rest: string): MavenRoute | undefined {
  let parts: string[];
  try {
    parts = rest.split('/').map(decodeURIComponent);
  } catch {
    return undefined;
  }
  if (parts.length < 3 || parts.some((p) => !SEGMENT.test(p) || p === '.' || p === '..')) return undefined;
  const path = parts.join('/');
  if (method === 'GET' || method === 'HEAD') return { kind: 'maven-get', path };
  if (method !== 'PUT') return undefined;
  const file = parts[parts.length - 1];
  const [artifact, version] = [parts[parts.length - 3], parts[parts.length - 2]];
  if (parts.length >= 4 && file.startsWith(`${artifact}-${version}`)) {
    return { kind: 'maven-put', path, groupId: parts.slice(0, -3).join('.'), artifactId: artifact };
  }
  if (file.startsWith('maven-metadata.xml')) {
    const snapshot = parts.length >= 4 && version.endsWith('-SNAPSHOT');
    const cut = snapshot ? 3 : 2;
    return { kind: 'maven-put', path, groupId: parts.slice(0, -cut).join('.'), artifactId: parts[parts.length - cut] };
  }
  return undefined;
}

export class MavenConflict extends Error {}

export class MavenFiles {
  private readonly files = new Map<string, Buffer>();

  /** A file, a made `maven-metadata.xml`, or a computed checksum; undefined when there is none. */
  public get(path: string): Buffer | undefined {
    const stored = this.files.get(path);
    if (stored) return stored;
    const ext = Object.keys(CHECKSUMS).find((e) => path.endsWith(e));
    if (ext) {
      const of = this.get(path.slice(0, -ext.length));
      return of && Buffer.from(createHash(CHECKSUMS[ext]).update(of).digest('hex'));
    }
    if (path.endsWith('/maven-metadata.xml')) return this.metadata(path.slice(0, -'/maven-metadata.xml'.length));
    return undefined;
  }

  /** Stores a deployed file; the same content again is accepted, other content is a conflict. */
  public put(path: string, data: Buffer): void {
    const old = this.files.get(path);
    const isMetadata = /\/maven-metadata\.xml(\.\w+)?$/.test(path);
    if (old && !isMetadata && !old.equals(data)) throw new MavenConflict(`${path} already exists with other content`);
    this.files.set(path, data);
  }

  /** The versions of an artifact that have files (for assertions and metadata). */
  public versions(groupId: string, artifactId: string): string[] {
    const base = `${groupId.replace(/\./g, '/')}/${artifactId}/`;
    const versions = new Set<string>();
    for (const p of this.files.keys()) {
      const rest = p.startsWith(base) ? p.slice(base.length).split('/') : [];
      if (rest.length === 2 && rest[1].startsWith(`${artifactId}-${rest[0]}`)) versions.add(rest[0]);
    }
    return [...versions].sort();
  }

  /** Puts a version with its pom and the given jar, as a deploy would. */
  public seed(groupId: string, artifactId: string, version: string, jar: Buffer): void {
    const dir = `${groupId.replace(/\./g, '/')}/${artifactId}/${version}`;
    const pom = `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>${groupId}</groupId>
  <artifactId>${artifactId}</artifactId>
  <version>${version}</version>
  <packaging>jar</packaging>
</project>
`;
    this.put(`${dir}/${artifactId}-${version}.pom`, Buffer.from(pom));
    this.put(`${dir}/${artifactId}-${version}.jar`, jar);
  }

  private metadata(artifactPath: string): Buffer | undefined {
    const parts = artifactPath.split('/');
    const artifactId = parts.pop()!;
    const versions = this.versions(parts.join('.'), artifactId);
    if (versions.length === 0) return undefined;
    const latest = versions[versions.length - 1];
    return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>
<metadata>
  <groupId>${parts.join('.')}</groupId>
  <artifactId>${artifactId}</artifactId>
  <versioning>
    <latest>${latest}</latest>
    <release>${latest}</release>
    <versions>
${versions.map((v) => `      <version>${v}</version>`).join('\n')}
    </versions>
  </versioning>
</metadata>
`);
  }
}
