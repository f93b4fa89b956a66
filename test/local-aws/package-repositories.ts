/**
 * CodeArtifact repository endpoints on this machine, for the package managers themselves: npm,
 * PyPI (pip, twine), Maven (mvn; `maven-repository.ts`) and Cargo (`cargo-registry.ts`),
 * authenticated and authorized the way CodeArtifact does it.
 *
 * A real endpoint `https://DOMAIN-OWNER.d.codeartifact.REGION.amazonaws.com/FORMAT/REPO/` is served
 * here as `http://127.0.0.1:PORT/DOMAIN-OWNER/REGION/FORMAT/REPO/` (see `localEndpoint`), so a test
 * takes the endpoint a user would use and swaps only its origin. Behind `RepositoryProxy` (which
 * serves the real host names over TLS and says so with `X-Forwarded-Proto: https` and
 * `X-Forwarded-Host`), the links it hands out (npm tarballs, PyPI redirects) use the real endpoint.
 *
 * Authentication: npm sends `Authorization: Bearer TOKEN`, pip, twine and mvn HTTP Basic `aws:TOKEN`,
 * Cargo the token itself as the header's value.
 * Without credentials, or with a token the authorizer does not know: 401. Every request is then
 * authorized before anything is served or stored: downloads need `codeartifact:ReadFromRepository` on
 * the repository ARN, publishing `codeartifact:PublishPackageVersion` on the package ARN
 * `arn:PARTITION:codeartifact:REGION:OWNER:package/DOMAIN/REPO/FORMAT/NAMESPACE/NAME` (NAMESPACE empty
 * for unscoped npm packages, PyPI and Cargo; `scope` for `@scope/name`; the group id for Maven), and
 * for Maven `codeartifact:PutPackageMetadata` on it as well (CodeArtifact user guide, "Packages
 * overview" > "Publishing permissions": "Maven: codeartifact:PublishPackageVersion and
 * codeartifact:PutPackageMetadata"); a denial is a 403 whose body holds the authorizer's reason. Every request lands in `requests`, which never holds a token. In
 * the e2e environment the authorizer is `Identities.authorizeToken`: the token's role policies and
 * session policy, with its session tags as `aws:PrincipalTag/KEY` and its session's issue time as
 * `aws:TokenIssueTime` in context (IAM User Guide, "Service bearer tokens").
 *
 * npm wire format: packument `GET /NAME` and `GET /@SCOPE%2fNAME` (npm encodes the slash of a
 * scoped name as lower-case `%2f`), tarball `GET /NAME/-/BASENAME-VERSION.tgz`, publish
 * `PUT /NAME` with the packument holding the tarball base64 in `_attachments`.
 * PyPI: PEP 503 `GET simple/` and `GET simple/NORMALIZED/` (another spelling is redirected),
 * files `GET simple/NORMALIZED/VERSION/FILENAME`, and twine's legacy upload API, a multipart/form-data
 * `POST` to the repository endpoint itself with `:action=file_upload`, `name`, `version` and `content`.
 */
import { createHash } from 'crypto';
import * as http from 'http';
import { crc32 } from 'zlib';
import { CargoCrates, CargoError, CargoRoute, cargoRoute, parseCargoPublish } from './cargo-registry';
import { MavenConflict, MavenFiles, MavenRoute, mavenRoute } from './maven-repository';
import { clock, close, listen, readBody, Watchable } from './net';
import { tarGzip } from './tar';

/**
 * The response header that tells a proxy in front (`RepositoryProxy`) how a request was decided
 * (`allowed ACTION on ARN`, or `denied ...: REASON`), for its trace; the proxy removes it.
 */
export const DECISION_HEADER = 'x-local-decision';

export type Authorization = { allowed: true } | { allowed: false; reason: string; unauthenticated?: boolean };

export interface AuthorizationRequest {
  readonly token: string;
  readonly action: string;
  readonly resourceArn: string;
}

export interface PackageRepositoriesOptions {
  /**
   * Decides each request. Return `{ allowed: false, unauthenticated: true, reason }` for a token that
   * was never issued (401); any other denial is a 403.
   */
  readonly authorize: (request: AuthorizationRequest) => Authorization;
  /** Default `aws`. */
  readonly partition?: string;
}

export type PackageFormat = 'npm' | 'pypi' | 'maven' | 'cargo';

export interface RepositoryRequest {
  readonly method: string;
  /** The local path, without a query string. Never holds credentials. */
  readonly path: string;
  readonly format?: string;
  /** The IAM action the request was authorized for (the one refused, for a denial), when it got that far. */
  readonly action?: string;
  /** Every action the request needed, when it was allowed (a Maven deploy needs two). */
  readonly actions?: readonly string[];
  readonly arn?: string;
  /** `rejected`: refused before authorization (not an endpoint, a malformed upload). */
  readonly decision: 'allowed' | 'denied' | 'unauthenticated' | 'rejected';
  readonly status: number;
  /** The authorizer's reason for a denial. */
  readonly reason?: string;
}

interface NpmPackage {
  readonly name: string;
  readonly versions: Map<string, { manifest: Record<string, unknown>; tarball: Buffer; published: Date }>;
  readonly distTags: Record<string, string>;
}

interface PypiFile {
  readonly filename: string;
  readonly version: string;
  readonly sha256: string;
  readonly data: Buffer;
}

class Repository {
  public readonly npm = new Map<string, NpmPackage>();
  /** By PEP 503 normalized project name. */
  public readonly pypi = new Map<string, { displayName: string; files: PypiFile[] }>();
  public readonly maven = new MavenFiles();
  public readonly cargo = new CargoCrates();
  constructor(
    public readonly domain: string,
    public readonly owner: string,
    public readonly region: string,
    public readonly name: string,
  ) {}
}

class HttpError extends Error {
  constructor(public readonly status: number, message: string) {
    super(message);
  }
}

const HOST = /^(?<domain>[a-z][a-z0-9-]*)-(?<owner>\d{12})\.d\.codeartifact\.(?<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?$/;

export class PackageRepositories implements Watchable {
  public static async start(options: PackageRepositoriesOptions): Promise<PackageRepositories> {
    const server = new PackageRepositories(options);
    server.url = await listen(server.server);
    return server;
  }

  /** The real endpoint CodeArtifact gives for a repository (GetRepositoryEndpoint), e.g. for the README's commands. */
  public static realEndpoint(domain: string, owner: string, region: string, format: PackageFormat, repo: string): string {
    return `https://${domain}-${owner}.d.codeartifact.${region}.amazonaws.com/${format}/${repo}/`;
  }

  /** `http://127.0.0.1:PORT`. */
  public url = '';
  /** Every request, in order. */
  public readonly requests: RepositoryRequest[] = [];
  private readonly repositories = new Map<string, Repository>();
  private readonly partition: string;
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  private readonly events: string[] = [];

  private constructor(private readonly options: PackageRepositoriesOptions) {
    this.partition = options.partition ?? 'aws';
  }

  public stop(): Promise<void> {
    return close(this.server);
  }

  /** Starts watching: the returned function gives each request since, with its status, decision and the authorizer's reason. */
  public watch(): () => string[] {
    const from = this.events.length;
    return () => this.events.slice(from);
  }

  /** Maps a real repository endpoint (with any path below it) to this server. */
  public localEndpoint(realEndpoint: string): string {
    const url = new URL(realEndpoint);
    const host = HOST.exec(url.hostname);
    if (url.protocol !== 'https:' || !host) throw new Error(`not a CodeArtifact repository endpoint: ${realEndpoint}`);
    const { domain, owner, region } = host.groups!;
    return `${this.url}/${domain}-${owner}/${region}${url.pathname}`;
  }

  /** The local endpoint of a repository, e.g. `http://127.0.0.1:PORT/d-111122223333/us-east-1/npm/r/`. */
  public endpoint(domain: string, owner: string, region: string, format: PackageFormat, repo: string): string {
    return this.localEndpoint(PackageRepositories.realEndpoint(domain, owner, region, format, repo));
  }

  public addRepository(domain: string, owner: string, region: string, repo: string): void {
    const key = repoKey(domain, owner, region, repo);
    if (!this.repositories.has(key)) this.repositories.set(key, new Repository(domain, owner, region, repo));
  }

  public repositoryArn(domain: string, owner: string, region: string, repo: string): string {
    return `arn:${this.partition}:codeartifact:${region}:${owner}:repository/${domain}/${repo}`;
  }

  /** The package ARN; for npm `name` may be scoped (`@scope/x` has namespace `scope`), for PyPI it is normalized. */
  public packageArn(domain: string, owner: string, region: string, repo: string, format: PackageFormat, name: string): string {
    let namespace = '';
    let pkg = name;
    if (format === 'npm' && name.startsWith('@')) [namespace, pkg] = name.slice(1).split('/');
    if (format === 'pypi') pkg = normalizePypiName(name);
    if (format === 'maven') [namespace, pkg] = name.split(':');
    return `arn:${this.partition}:codeartifact:${region}:${owner}:package/${domain}/${repo}/${format}/${namespace}/${pkg}`;
  }

  /**
   * Puts a real npm package (a generated tarball with package.json and index.js) into a repository,
   * published at `published` (default: a year ago, as an established dependency would be; Yarn 4
   * holds back versions younger than a day).
   */
  public seedNpm(domain: string, owner: string, region: string, repo: string, name: string, version: string,
    published = new Date(Date.now() - 365 * 86400_000)): void {
    const tarball = npmTarball({ name, version, main: 'index.js' }, { 'index.js': `module.exports = ${JSON.stringify(`${name}@${version}`)};\n` });
    this.storeNpm(this.repository(domain, owner, region, repo), { name, version, main: 'index.js' }, tarball, { latest: version }, published);
  }

  /** Puts a real wheel (see `pythonWheel`) into a repository. */
  public seedPypi(domain: string, owner: string, region: string, repo: string, name: string, version: string): void {
    const wheel = pythonWheel(name, version);
    this.storePypi(this.repository(domain, owner, region, repo), name, version, wheel.filename, wheel.data);
  }

  /** Puts a Maven artifact version (its pom and `jar`, e.g. from `zipStored`) into a repository. */
  public seedMaven(
    domain: string, owner: string, region: string, repo: string, groupId: string, artifactId: string, version: string, jar: Buffer,
  ): void {
    this.repository(domain, owner, region, repo).maven.seed(groupId, artifactId, version, jar);
  }

  /** Puts a crate with no dependencies (see `crateFile`) into a repository. */
  public seedCargo(domain: string, owner: string, region: string, repo: string, name: string, version: string): void {
    this.repository(domain, owner, region, repo).cargo.seed(name, version);
  }

  /** The versions of a Maven artifact a repository holds (for assertions). */
  public mavenVersions(domain: string, owner: string, region: string, repo: string, groupId: string, artifactId: string): string[] {
    return this.repository(domain, owner, region, repo).maven.versions(groupId, artifactId);
  }

  /** A file of a repository's Maven layout, as a client would download it (for assertions). */
  public mavenFile(domain: string, owner: string, region: string, repo: string, path: string): Buffer | undefined {
    return this.repository(domain, owner, region, repo).maven.get(path);
  }

  /** The versions of a crate a repository holds (for assertions). */
  public cargoVersions(domain: string, owner: string, region: string, repo: string, name: string): string[] {
    return this.repository(domain, owner, region, repo).cargo.versions(name);
  }

  /** The versions of an npm package a repository holds (for assertions). */
  public npmVersions(domain: string, owner: string, region: string, repo: string, name: string): string[] {
    return [...(this.repository(domain, owner, region, repo).npm.get(name)?.versions.keys() ?? [])];
  }

  /** The file names of a PyPI project a repository holds (for assertions). */
  public pypiFiles(domain: string, owner: string, region: string, repo: string, name: string): string[] {
    return (this.repository(domain, owner, region, repo).pypi.get(normalizePypiName(name))?.files ?? []).map((f) => f.filename);
  }

  private repository(domain: string, owner: string, region: string, repo: string): Repository {
    const r = this.repositories.get(repoKey(domain, owner, region, repo));
    if (!r) throw new Error(`no repository ${domain}/${repo} of ${owner} in ${region}: addRepository first`);
    return r;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const rawPath = (req.url ?? '/').split('?')[0];
    const method = req.method ?? 'GET';
    let authorized = false;
    const log: { -readonly [K in keyof RepositoryRequest]?: RepositoryRequest[K] } = { method, path: rawPath };
    const send = (status: number, body: string | Buffer, headers: http.OutgoingHttpHeaders = {}) => {
      const entry = { ...log, decision: log.decision ?? (authorized ? 'allowed' : 'rejected'), status } as RepositoryRequest;
      this.requests.push(entry);
      const decided = entry.action ? `${entry.decision} ${entry.action} on ${entry.arn}${entry.reason ? `: ${entry.reason}` : ''}` : entry.decision;
      this.events.push(`${clock()} repositories: ${method} ${rawPath} -> ${status} (${decided})`);
      res.writeHead(status, { 'content-length': Buffer.byteLength(body), [DECISION_HEADER]: encodeURIComponent(decided), ...headers });
      res.end(method === 'HEAD' ? undefined : body);
    };
    const text = (status: number, message: string, headers: http.OutgoingHttpHeaders = {}) =>
      send(status, JSON.stringify({ error: message, message }) + '\n', { 'content-type': 'application/json', ...headers });
    try {
      const m = /^\/([a-z][a-z0-9-]*)-(\d{12})\/([a-z0-9-]+)\/([a-z]+)\/([^/]+)(\/.*)?$/.exec(rawPath);
      if (!m) {
        return text(404, 'not a repository endpoint');
      }
      const [, domain, owner, region, format, repoName] = m;
      const rest = (m[6] ?? '').replace(/^\//, '');
      log.format = format;

      const token = credentials(req.headers.authorization, format);
      if (token === undefined) {
        log.decision = 'unauthenticated';
        return text(401, 'authentication required: a CodeArtifact authorization token', { 'www-authenticate': 'Basic realm="codeartifact"' });
      }

      // Which action on which resource: decided from the request line alone, except for a twine
      // upload, whose package name is in the body (read, but nothing stored before authorization).
      let route: Route;
      if (format === 'npm') route = npmRoute(method, rest);
      else if (format === 'pypi') route = pypiRoute(method, rest);
      else if (format === 'maven') route = mavenRoute(method, rest) ?? { kind: 'unsupported' };
      else if (format === 'cargo') route = cargoRoute(method, rest) ?? { kind: 'unsupported' };
      else route = { kind: 'unsupported' };
      let upload: Multipart | undefined;
      if (route.kind === 'pypi-upload') {
        upload = parseMultipart(req.headers['content-type'], await readBody(req));
        const name = upload.fields.get('name');
        if (!name) throw new HttpError(400, 'the upload has no name field');
        route = { ...route, name };
      }
      let body: Buffer | undefined;
      if (route.kind === 'cargo-publish') {
        body = await readBody(req);
        route = { ...route, name: parseCargoPublish(body).metadata.name as string };
      }
      const publishing = ['npm-publish', 'pypi-upload', 'maven-put', 'cargo-publish'].includes(route.kind);
      const actions = route.kind === 'maven-put' ? ['codeartifact:PublishPackageVersion', 'codeartifact:PutPackageMetadata']
        : publishing ? ['codeartifact:PublishPackageVersion'] : ['codeartifact:ReadFromRepository'];
      const packageName = route.kind === 'maven-put' ? `${route.groupId}:${route.artifactId}` : (route as { name?: string }).name ?? '';
      const arn = publishing
        ? this.packageArn(domain, owner, region, repoName, format as PackageFormat, packageName)
        : this.repositoryArn(domain, owner, region, repoName);
      log.arn = arn;
      for (const action of actions) {
        log.action = action;
        const decision = this.options.authorize({ token, action, resourceArn: arn });
        if (!decision.allowed) {
          log.decision = decision.unauthenticated ? 'unauthenticated' : 'denied';
          log.reason = decision.reason;
          if (decision.unauthenticated) {
            return text(401, 'the security token included in the request is invalid', { 'www-authenticate': 'Basic realm="codeartifact"' });
          }
          return text(403, `not authorized to perform ${action} on ${arn}: ${decision.reason}`);
        }
      }
      log.actions = actions;

      authorized = true;
      const repo = this.repositories.get(repoKey(domain, owner, region, repoName));
      if (!repo) throw new HttpError(404, `repository ${repoName} not found in domain ${domain}`);
      const base = publicBase(req, this.url, domain, owner, region) + `/${format}/${repoName}/`;
      switch (route.kind) {
        case 'npm-packument': {
          const pkg = repo.npm.get(route.name);
          if (!pkg) throw new HttpError(404, `package ${route.name} not found`);
          return send(200, JSON.stringify(this.packument(pkg, base)), { 'content-type': 'application/json' });
        }
        case 'npm-tarball': {
          const pkg = repo.npm.get(route.name);
          const basename = route.name.split('/').pop()!;
          const version = [...(pkg?.versions.keys() ?? [])].find((v) => route.kind === 'npm-tarball' && `${basename}-${v}.tgz` === route.file);
          if (!pkg || !version) throw new HttpError(404, `tarball ${route.file} of ${route.name} not found`);
          return send(200, pkg.versions.get(version)!.tarball, { 'content-type': 'application/octet-stream' });
        }
        case 'npm-publish': {
          this.npmPublish(repo, route.name, await readBody(req));
          return send(200, JSON.stringify({ ok: true }), { 'content-type': 'application/json' });
        }
        case 'pypi-index': {
          const links = [...repo.pypi.keys()].sort().map((n) => `<a href="${n}/">${n}</a>`);
          return send(200, html('Simple index', links), { 'content-type': 'text/html; charset=utf-8' });
        }
        case 'pypi-project': {
          const normalized = normalizePypiName(route.name);
          if (normalized !== route.name) {
            return send(301, '', { location: `${base}simple/${normalized}/` });
          }
          const project = repo.pypi.get(normalized);
          if (!project) throw new HttpError(404, `package ${route.name} not found`);
          const links = project.files.map((f) => `<a href="${f.version}/${f.filename}#sha256=${f.sha256}">${f.filename}</a>`);
          return send(200, html(`Links for ${project.displayName}`, links), { 'content-type': 'text/html; charset=utf-8' });
        }
        case 'pypi-file': {
          const file = repo.pypi.get(normalizePypiName(route.name))?.files.find((f) => f.filename === route.file && f.version === route.version);
          if (!file) throw new HttpError(404, `file ${route.file} not found`);
          return send(200, file.data, { 'content-type': 'application/octet-stream' });
        }
        case 'pypi-upload': {
          this.pypiUpload(repo, upload!);
          return send(200, 'OK\n', { 'content-type': 'text/plain' });
        }
        case 'maven-get': {
          const file = repo.maven.get(route.path);
          if (!file) throw new HttpError(404, `${route.path} not found`);
          return send(200, file, { 'content-type': route.path.endsWith('.xml') || route.path.endsWith('.pom') ? 'text/xml' : 'application/octet-stream' });
        }
        case 'maven-put': {
          repo.maven.put(route.path, await readBody(req));
          return send(201, '');
        }
        case 'cargo-config':
          return send(200, JSON.stringify(repo.cargo.config(base)), { 'content-type': 'application/json' });
        case 'cargo-index': {
          const index = repo.cargo.indexFile(route.name);
          if (!index) throw new HttpError(404, `crate ${route.name} not found`);
          return send(200, index, { 'content-type': 'text/plain' });
        }
        case 'cargo-download': {
          const crate = repo.cargo.download(route.name, route.version);
          if (!crate) throw new HttpError(404, `crate ${route.name}@${route.version} not found`);
          return send(200, crate, { 'content-type': 'application/gzip' });
        }
        case 'cargo-publish': {
          repo.cargo.publish(body!);
          return send(200, JSON.stringify({ warnings: { invalid_categories: [], invalid_badges: [], other: [] } }), { 'content-type': 'application/json' });
        }
        default:
          throw new HttpError(404, `no such ${format} resource: ${rest}`);
      }
    } catch (e) {
      if (e instanceof HttpError || e instanceof CargoError) return text(e.status, e.message);
      if (e instanceof MavenConflict) return text(409, e.message);
      return text(500, `internal error: ${(e as Error).message}`);
    }
  }

  private packument(pkg: NpmPackage, base: string): Record<string, unknown> {
    const versions: Record<string, unknown> = {};
    // `time` as the npm registry (and CodeArtifact) give it: clients with a minimal release age read it.
    const times = [...pkg.versions.values()].map((v) => v.published.getTime());
    const time: Record<string, string> = {
      created: new Date(Math.min(...times)).toISOString(),
      modified: new Date(Math.max(...times)).toISOString(),
    };
    for (const [version, { manifest, tarball, published }] of pkg.versions) {
      time[version] = published.toISOString();
      const file = `${pkg.name.split('/').pop()}-${version}.tgz`;
      versions[version] = {
        ...manifest,
        dist: {
          tarball: `${base}${pkg.name}/-/${file}`,
          shasum: createHash('sha1').update(tarball).digest('hex'),
          integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
        },
      };
    }
    return { 'name': pkg.name, 'dist-tags': pkg.distTags, versions, time };
  }

  private npmPublish(repo: Repository, name: string, body: Buffer): void {
    let doc: { 'name'?: string; 'versions'?: Record<string, Record<string, unknown>>; 'dist-tags'?: Record<string, string>; '_attachments'?: Record<string, { data?: string }> };
    try {
      doc = JSON.parse(body.toString('utf8'));
    } catch {
      throw new HttpError(400, 'the publish body is not JSON');
    }
    if (doc.name !== name) throw new HttpError(400, `the body names ${doc.name}, the URL ${name}`);
    const versions = Object.entries(doc.versions ?? {});
    const attachments = Object.values(doc._attachments ?? {});
    if (versions.length !== 1 || attachments.length !== 1 || !attachments[0].data) {
      throw new HttpError(400, 'a publish needs exactly one version and one attachment');
    }
    const [version, manifest] = versions[0];
    const tarball = Buffer.from(attachments[0].data, 'base64');
    const dist = (manifest.dist ?? {}) as { integrity?: string; shasum?: string };
    if (dist.integrity && dist.integrity !== `sha512-${createHash('sha512').update(tarball).digest('base64')}`) {
      throw new HttpError(400, 'the attachment does not match dist.integrity');
    }
    if (repo.npm.get(name)?.versions.has(version)) throw new HttpError(409, `${name}@${version} already exists`);
    const { dist: _dist, ...rest } = manifest;
    this.storeNpm(repo, rest, tarball, doc['dist-tags'] ?? { latest: version }, new Date());
  }

  private storeNpm(repo: Repository, manifest: Record<string, unknown>, tarball: Buffer, distTags: Record<string, string>, published: Date): void {
    const name = manifest.name as string;
    const pkg = repo.npm.get(name) ?? { name, versions: new Map(), distTags: {} };
    pkg.versions.set(manifest.version as string, { manifest, tarball, published });
    Object.assign(pkg.distTags, distTags);
    repo.npm.set(name, pkg);
  }

  private pypiUpload(repo: Repository, upload: Multipart): void {
    if (upload.fields.get(':action') !== 'file_upload') throw new HttpError(400, 'unsupported :action');
    const version = upload.fields.get('version');
    const content = upload.files.get('content');
    if (!version || !content) throw new HttpError(400, 'an upload needs version and content');
    const sha256 = createHash('sha256').update(content.data).digest('hex');
    const claimed = upload.fields.get('sha256_digest');
    if (claimed && claimed !== sha256) throw new HttpError(400, 'the content does not match sha256_digest');
    const name = upload.fields.get('name')!;
    if (repo.pypi.get(normalizePypiName(name))?.files.some((f) => f.filename === content.filename)) {
      throw new HttpError(409, `${content.filename} already exists`);
    }
    this.storePypi(repo, name, version, content.filename, content.data);
  }

  private storePypi(repo: Repository, name: string, version: string, filename: string, data: Buffer): void {
    const normalized = normalizePypiName(name);
    const project = repo.pypi.get(normalized) ?? { displayName: name, files: [] };
    project.files.push({ filename, version, data, sha256: createHash('sha256').update(data).digest('hex') });
    repo.pypi.set(normalized, project);
  }
}

type Route =
  | { kind: 'npm-packument'; name: string }
  | { kind: 'npm-tarball'; name: string; file: string }
  | { kind: 'npm-publish'; name: string }
  | { kind: 'pypi-index' }
  | { kind: 'pypi-project'; name: string }
  | { kind: 'pypi-file'; name: string; version: string; file: string }
  | { kind: 'pypi-upload'; name?: string }
  | MavenRoute
  | CargoRoute
  | { kind: 'unsupported' };

const NPM_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9._~-][a-z0-9._~-]*$/i;

function npmRoute(method: string, rest: string): Route {
  // npm sends `@scope%2fname`; decode the slash first, then each segment.
  let path: string;
  try {
    path = rest.replace(/^(@[^/%]+)%2f/i, '$1/').split('/').map(decodeURIComponent).join('/');
  } catch {
    return { kind: 'unsupported' };
  }
  const scoped = path.startsWith('@');
  const parts = path.split('/');
  const name = parts.slice(0, scoped ? 2 : 1).join('/');
  const tail = parts.slice(scoped ? 2 : 1);
  if (!NPM_NAME.test(name)) return { kind: 'unsupported' };
  const read = method === 'GET' || method === 'HEAD';
  if (tail.length === 0 && read) return { kind: 'npm-packument', name };
  if (tail.length === 0 && method === 'PUT') return { kind: 'npm-publish', name };
  if (tail.length === 2 && tail[0] === '-' && read) return { kind: 'npm-tarball', name, file: tail[1] };
  return { kind: 'unsupported' };
}

function pypiRoute(method: string, rest: string): Route {
  if (method === 'POST' && rest === '') return { kind: 'pypi-upload' };
  if (method !== 'GET' && method !== 'HEAD') return { kind: 'unsupported' };
  const parts = rest.split('/').map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return '';
    }
  });
  if (parts[0] !== 'simple') return { kind: 'unsupported' };
  if (rest === 'simple/') return { kind: 'pypi-index' };
  if (parts.length === 3 && parts[2] === '' && parts[1]) return { kind: 'pypi-project', name: parts[1] };
  if (parts.length === 4 && parts[1] && parts[2] && parts[3]) return { kind: 'pypi-file', name: parts[1], version: parts[2], file: parts[3] };
  return { kind: 'unsupported' };
}

/**
 * The origin clients reach a repository at: this server, or, behind a TLS-terminating proxy that says
 * so (`X-Forwarded-Proto: https`, `X-Forwarded-Host` the repository's real host name), the real
 * endpoint, so that the links in a packument lead back through the proxy as CodeArtifact's do.
 */
function publicBase(req: http.IncomingMessage, origin: string, domain: string, owner: string, region: string): string {
  const local = `${origin}/${domain}-${owner}/${region}`;
  const forwardedHost = req.headers['x-forwarded-host'];
  if (req.headers['x-forwarded-proto'] !== 'https' || typeof forwardedHost !== 'string') return local;
  const host = HOST.exec(forwardedHost);
  if (!host || host.groups!.domain !== domain || host.groups!.owner !== owner || host.groups!.region !== region) return local;
  return `https://${forwardedHost}`;
}

/**
 * The token of a request: `Bearer TOKEN`, or Basic with user `aws` and the token as password; for
 * Cargo, which sends a registry's token as the whole header value, the value itself.
 */
function credentials(header: string | undefined, format: string): string | undefined {
  if (!header) return undefined;
  if (format === 'cargo' && /^[\w.~+/=-]+$/.test(header)) return header;
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+(\S+)$/i.exec(header);
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0 || decoded.slice(0, colon) !== 'aws' || colon === decoded.length - 1) return undefined;
  return decoded.slice(colon + 1);
}

/** PEP 503: lower case, every run of `-`, `_` and `.` one `-`. */
export function normalizePypiName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

function repoKey(domain: string, owner: string, region: string, repo: string): string {
  return `${owner}/${region}/${domain}/${repo}`;
}

function html(title: string, links: string[]): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
  return `<!DOCTYPE html>\n<html><head><meta name="pypi:repository-version" content="1.0"><title>${esc(title)}</title></head><body>\n`
    + links.map((l) => `${l}<br/>\n`).join('') + '</body></html>\n';
}

interface Multipart {
  readonly fields: Map<string, string>;
  readonly files: Map<string, { filename: string; data: Buffer }>;
}

/** multipart/form-data as twine (requests-toolbelt) sends it. */
function parseMultipart(contentType: string | undefined, body: Buffer): Multipart {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType ?? '')?.[1];
  if (!contentType?.toLowerCase().startsWith('multipart/form-data') || !boundary) {
    throw new HttpError(400, 'an upload must be multipart/form-data');
  }
  const fields = new Map<string, string>();
  const files = new Map<string, { filename: string; data: Buffer }>();
  const delimiter = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delimiter);
  while (pos >= 0) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString() === '--') break;
    pos += 2; // CRLF
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd);
    if (headerEnd < 0 || next < 0) throw new HttpError(400, 'a truncated multipart body');
    const headers = body.subarray(pos, headerEnd).toString('utf8');
    const data = body.subarray(headerEnd + 4, next);
    const name = /[;\s]name="([^"]*)"/i.exec(headers)?.[1];
    const filename = /[;\s]filename="([^"]*)"/i.exec(headers)?.[1];
    if (name !== undefined && filename !== undefined) files.set(name, { filename, data });
    else if (name !== undefined && !fields.has(name)) fields.set(name, data.toString('utf8'));
    pos = next + 2;
  }
  return { fields, files };
}

/** A gzipped npm tarball: `package/package.json` and the given files, as `npm pack` lays them out. */
export function npmTarball(packageJson: Record<string, unknown>, files: Record<string, string> = {}): Buffer {
  return tarGzip([
    ['package/package.json', Buffer.from(JSON.stringify(packageJson, undefined, 2) + '\n')],
    ...Object.entries(files).map(([p, c]): [string, Buffer] => [`package/${p}`, Buffer.from(c)]),
  ]);
}

/**
 * A valid pure-Python wheel `NAME-VERSION-py3-none-any.whl` with one module (the name with `-` as `_`)
 * and METADATA, WHEEL and RECORD, as a stored (uncompressed) zip.
 */
export function pythonWheel(name: string, version: string): { filename: string; data: Buffer } {
  const dist = name.replace(/[-_.]+/g, '_');
  const module = dist.toLowerCase();
  const distInfo = `${dist}-${version}.dist-info`;
  const files: Array<[string, Buffer]> = [
    [`${module}/__init__.py`, Buffer.from(`VERSION = ${JSON.stringify(version)}\n`)],
    [`${distInfo}/METADATA`, Buffer.from(`Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\nSummary: a test package\n\n`)],
    [`${distInfo}/WHEEL`, Buffer.from('Wheel-Version: 1.0\nGenerator: cdk-codeartifact-token-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n\n')],
  ];
  const record = files.map(([p, d]) => `${p},sha256=${createHash('sha256').update(d).digest('base64url')},${d.length}`)
    .concat(`${distInfo}/RECORD,,`).join('\n') + '\n';
  files.push([`${distInfo}/RECORD`, Buffer.from(record)]);
  return { filename: `${dist}-${version}-py3-none-any.whl`, data: zipStored(files) };
}

/** A zip of the given files, stored (uncompressed): a wheel, a jar. */
export function zipStored(files: Array<[string, Buffer]>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of files) {
    const n = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(0, 10); // time
    local.writeUInt16LE(0x21, 12); // date 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(n.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x0314, 4); // made by unix, 2.0
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(n.length, 28);
    central.writeUInt32LE(0x81a40000, 38); // external attributes: 0o100644 << 16, a regular file, rw-r--r--
    central.writeUInt32LE(offset, 42);
    locals.push(local, n, data);
    centrals.push(central, n);
    offset += local.length + n.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
