/**
 * What each package manager needs besides the token and the endpoint, written into the secret's
 * `clients` so that no consumer has to know CodeArtifact's conventions (the user name `aws`, Cargo's
 * `sparse+` index and how its token travels, NuGet's `v3/index.json`). Free of aws-cdk-lib: the
 * handler writes it, next to `endpoints`.
 *
 * - Maven (and Gradle): HTTP Basic with the user name `aws` and the token as password, under a
 *   `<server>` whose `<id>` matches the repository's (CodeArtifact user guide, "Use CodeArtifact with
 *   mvn"; "Use CodeArtifact with Gradle").
 * - Cargo: the repository endpoint, prefixed `sparse+`, as a registry's `index` (CodeArtifact user
 *   guide, "Configure and use Cargo with CodeArtifact": "The sparse+ prefix is required for
 *   registries that are not Git repositories"). Cargo sends a registry's token as the whole value of
 *   the `Authorization` header (The Cargo Book, "Registry Web API": "Authorization header"), and the
 *   `cargo:token` credential provider takes it from `CARGO_REGISTRIES_<NAME>_TOKEN`, NAME upper-cased
 *   with `-` as `_` (The Cargo Book, "Configuration", environment variables). A registry name may hold
 *   only letters, digits, `-` and `_` and must start with a letter (Cargo's registry name check), so
 *   a repository name's `.` becomes `-`.
 * - NuGet: the repository endpoint followed by `v3/index.json`, user `aws` (CodeArtifact user guide,
 *   "Use CodeArtifact with the dotnet CLI").
 */
import type { TokenConfig } from './contract';
import { repositoryEndpoint } from './endpoints';

/** The user name CodeArtifact expects with the token as password, for every client that uses HTTP Basic. */
export const CODEARTIFACT_USERNAME = 'aws';

/** A `<server>` and `<repository>` (or `<distributionManagement>`) pair for Maven; Gradle takes the same URL and user. */
export interface MavenClientSettings {
  /** The `<id>` to give both the `<server>` and the repository, so that Maven sends the credentials there. */
  readonly id: string;
  readonly url: string;
  readonly username: string;
}

/** A registry in `.cargo/config.toml` and where its token goes. */
export interface CargoClientSettings {
  /** The registry's name: `[registries.NAME]`, `--registry NAME`, `registry = "NAME"` in a dependency. */
  readonly registry: string;
  /** The registry's `index`: `sparse+` and the endpoint. */
  readonly index: string;
  /** The environment variable Cargo's `cargo:token` provider reads the token from (sent as the `Authorization` header, as is). */
  readonly tokenVariable: string;
}

/** A NuGet package source. */
export interface NugetClientSettings {
  readonly source: string;
  readonly username: string;
}

export interface RepositoryClientSettings {
  readonly maven: MavenClientSettings;
  readonly cargo: CargoClientSettings;
  readonly nuget: NugetClientSettings;
}

/** The name given to a repository's Maven server and Cargo registry: `codeartifact-` and the name, `.` as `-`. */
export function clientName(repository: string): string {
  return `codeartifact-${repository.replace(/\./g, '-')}`;
}

/** For each of the token's repositories, what Maven, Cargo and NuGet are configured with; `{}` for every repository (`*`). */
export function clientSettingsOf(config: TokenConfig): { clients: { [repository: string]: RepositoryClientSettings } } {
  if (config.repositories === '*') return { clients: {} };
  const endpoint = (repository: string, format: string) => repositoryEndpoint({ ...config, repository, format });
  return {
    clients: Object.fromEntries(config.repositories.map((repository) => {
      const name = clientName(repository);
      const settings: RepositoryClientSettings = {
        maven: { id: name, url: endpoint(repository, 'maven'), username: CODEARTIFACT_USERNAME },
        cargo: {
          registry: name,
          index: `sparse+${endpoint(repository, 'cargo')}`,
          tokenVariable: `CARGO_REGISTRIES_${name.toUpperCase().replace(/-/g, '_')}_TOKEN`,
        },
        nuget: { source: `${endpoint(repository, 'nuget')}v3/index.json`, username: CODEARTIFACT_USERNAME },
      };
      return [repository, settings];
    })),
  };
}
