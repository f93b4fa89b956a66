/**
 * What a token may do in its repositories. Values are the ones written into the secret's tags and
 * JSON, so they are part of the secret's documented schema.
 */
export enum RepositoryAccess {
  /** Download packages: `codeartifact:ReadFromRepository`. */
  READ = 'read',
  /**
   * Download and publish packages: adds `codeartifact:PublishPackageVersion` and
   * `codeartifact:PutPackageMetadata` (Maven) on the repositories' packages.
   */
  READ_AND_PUBLISH = 'read-and-publish',
}

/**
 * The package formats a CodeArtifact repository serves, one endpoint each (CodeArtifact API
 * reference, GetRepositoryEndpoint: `format`).
 */
export enum PackageFormat {
  /** npm, pnpm and Yarn. */
  NPM = 'npm',
  /** pip, twine, Poetry and uv. */
  PYPI = 'pypi',
  /** Maven and Gradle. */
  MAVEN = 'maven',
  /** NuGet and dotnet. */
  NUGET = 'nuget',
  /** Generic packages (the AWS CLI and SDKs). */
  GENERIC = 'generic',
  /** RubyGems and Bundler. */
  RUBY = 'ruby',
  /** Swift Package Manager. */
  SWIFT = 'swift',
  /** Cargo. */
  CARGO = 'cargo',
}
