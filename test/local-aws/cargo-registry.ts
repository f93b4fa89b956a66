/**
 * One CodeArtifact repository's crates, for `PackageRepositories`: a Cargo sparse registry (The Cargo
 * Book, "Registry Index" > "Sparse protocol", and "Registry Web API" > "Publish"), as CodeArtifact
 * serves it at `https://DOMAIN-OWNER.d.codeartifact.REGION.amazonaws.com/cargo/REPO/` (Cargo's index
 * is that URL prefixed `sparse+`; CodeArtifact user guide, "Configure and use Cargo with CodeArtifact").
 *
 *   GET config.json                          `dl`, `api` and `auth-required: true`
 *   GET 1/a, 2/ab, 3/a/abc, ab/cd/abcd...    a crate's index file: one JSON line per version
 *   GET api/v1/crates/NAME/VERSION/download  the .crate (what `dl` points to)
 *   PUT api/v1/crates/new                    publish: u32 LE length + JSON metadata, u32 LE length + .crate
 *
 * `auth-required` makes Cargo send the token on every request (The Cargo Book, "Registry
 * Authentication"); it first asks for config.json without one and, answered 401, again with it.
 * A version that exists cannot be published again (409).
 */
import { createHash } from 'crypto';
import { tarGzip } from './tar';

export type CargoRoute =
  | { kind: 'cargo-config' }
  | { kind: 'cargo-index'; name: string }
  | { kind: 'cargo-download'; name: string; version: string }
  | { kind: 'cargo-publish'; name?: string };

const CRATE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** The index path of a crate (The Cargo Book, "Registry Index" > "Index files"), lower-cased. */
export function cargoIndexPath(name: string): string {
  const n = name.toLowerCase();
  if (n.length <= 2) return `${n.length}/${n}`;
  if (n.length === 3) return `3/${n[0]}/${n}`;
  return `${n.slice(0, 2)}/${n.slice(2, 4)}/${n}`;
}

export function cargoRoute(method: string, rest: string): CargoRoute | undefined {
  const read = method === 'GET' || method === 'HEAD';
  if (read && rest === 'config.json') return { kind: 'cargo-config' };
  if (method === 'PUT' && rest === 'api/v1/crates/new') return { kind: 'cargo-publish' };
  const download = /^api\/v1\/crates\/([^/]+)\/([^/]+)\/download$/.exec(rest);
  if (read && download && CRATE_NAME.test(download[1])) return { kind: 'cargo-download', name: download[1], version: download[2] };
  const name = rest.split('/').pop() ?? '';
  if (read && CRATE_NAME.test(name) && cargoIndexPath(name) === rest) return { kind: 'cargo-index', name };
  return undefined;
}

export class CargoError extends Error {
  constructor(public readonly status: number, message: string) {
    super(message);
  }
}

interface CrateVersion {
  readonly entry: Record<string, unknown>;
  readonly crate: Buffer;
}

export class CargoCrates {
  /** By lower-cased name, in publish order. */
  private readonly crates = new Map<string, CrateVersion[]>();

  /** config.json for a registry whose endpoint is `base` (ends with `/`). */
  public config(base: string): Record<string, unknown> {
    return { 'dl': `${base}api/v1/crates/{crate}/{version}/download`, 'api': base.replace(/\/$/, ''), 'auth-required': true };
  }

  public indexFile(name: string): string | undefined {
    const versions = this.crates.get(name.toLowerCase());
    return versions && versions.map((v) => JSON.stringify(v.entry)).join('\n') + '\n';
  }

  public download(name: string, version: string): Buffer | undefined {
    return this.crates.get(name.toLowerCase())?.find((v) => v.entry.vers === version)?.crate;
  }

  public versions(name: string): string[] {
    return (this.crates.get(name.toLowerCase()) ?? []).map((v) => v.entry.vers as string);
  }

  /** A publish body, stored as its index entry and .crate. */
  public publish(body: Buffer): { name: string; version: string } {
    const { metadata, crate } = parseCargoPublish(body);
    const name = metadata.name as string;
    const version = metadata.vers as string;
    const deps = ((metadata.deps ?? []) as Array<Record<string, unknown>>).map((d) => ({
      name: d.explicit_name_in_toml ?? d.name,
      req: d.version_req,
      features: d.features ?? [],
      optional: d.optional ?? false,
      default_features: d.default_features ?? true,
      target: d.target ?? null,
      kind: d.kind ?? 'normal',
      registry: d.registry ?? null,
      ...(d.explicit_name_in_toml ? { package: d.name } : {}),
    }));
    this.store({ name, vers: version, deps, features: metadata.features ?? {}, links: metadata.links ?? null }, crate);
    return { name, version };
  }

  /** Puts a crate with no dependencies, `pub fn greeting() -> &'static str` returning `NAME VERSION`. */
  public seed(name: string, version: string): void {
    this.store({ name, vers: version, deps: [], features: {}, links: null }, crateFile(name, version));
  }

  private store(entry: Record<string, unknown>, crate: Buffer): void {
    const key = (entry.name as string).toLowerCase();
    const versions = this.crates.get(key) ?? [];
    if (versions.some((v) => v.entry.vers === entry.vers)) throw new CargoError(409, `crate ${entry.name}@${entry.vers} already exists`);
    versions.push({ entry: { ...entry, cksum: createHash('sha256').update(crate).digest('hex'), yanked: false }, crate });
    this.crates.set(key, versions);
  }
}

/** The name in a publish body, read before the publish is authorized (as twine's upload form). */
export function parseCargoPublish(body: Buffer): { metadata: Record<string, unknown>; crate: Buffer } {
  if (body.length < 4) throw new CargoError(400, 'a truncated publish body');
  const jsonLength = body.readUInt32LE(0);
  if (body.length < 8 + jsonLength) throw new CargoError(400, 'a truncated publish body');
  let metadata: Record<string, unknown>;
  try {
    metadata = JSON.parse(body.subarray(4, 4 + jsonLength).toString('utf8'));
  } catch {
    throw new CargoError(400, 'the publish metadata is not JSON');
  }
  const crateLength = body.readUInt32LE(4 + jsonLength);
  const crate = body.subarray(8 + jsonLength, 8 + jsonLength + crateLength);
  if (crate.length !== crateLength) throw new CargoError(400, 'a truncated .crate');
  if (typeof metadata.name !== 'string' || !CRATE_NAME.test(metadata.name) || typeof metadata.vers !== 'string') {
    throw new CargoError(400, 'the publish metadata needs a crate name and vers');
  }
  return { metadata, crate };
}

/** A .crate: a gzipped tar of `NAME-VERSION/` with Cargo.toml and src/lib.rs, as `cargo package` lays it out. */
export function crateFile(name: string, version: string): Buffer {
  const dir = `${name}-${version}`;
  return tarGzip([
    [`${dir}/Cargo.toml`, Buffer.from(`[package]\nname = "${name}"\nversion = "${version}"\nedition = "2021"\n\n[lib]\npath = "src/lib.rs"\n`)],
    [`${dir}/src/lib.rs`, Buffer.from(`pub fn greeting() -> &'static str {\n    "${name} ${version}"\n}\n`)],
  ]);
}
