import * as fs from 'fs';
import * as path from 'path';
import { awscdk, Component, javascript, JsonFile, TaskShell } from 'projen';

// aws-cdk-lib floor: 2.257.0 is the newest release whose cloud assembly (schema 53) the integ tooling
// we pin (@aws-cdk/integ-runner 2.197.10) can still read. Raising it breaks `integ-runner` with
// "Cloud assembly schema version mismatch"; users on newer aws-cdk-lib are fine (it is a peer range).
const CDK_VERSION = '2.257.0';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-codeartifact-token',
  description:
    'A CodeArtifact authorization token issued at deploy time and kept fresh in Secrets Manager, ' +
    'for CodeBuild, ECS, Lambda and any CI that can read a secret.',
  author: 'cdk-codeartifact-token developers',
  authorAddress: 'maintainers@cdk-codeartifact-token.dev',
  repositoryUrl: 'https://github.com/cdk-codeartifact-token/cdk-codeartifact-token.git',
  license: 'Apache-2.0',
  keywords: ['awscdk', 'cdk', 'codeartifact', 'secrets-manager', 'authorization-token', 'rotation'],
  stability: 'experimental',

  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  minNodeVersion: '20.16.0',

  // aws-cdk-lib and constructs become peer dependencies (and pinned dev dependencies) via cdkVersion.
  cdkVersion: CDK_VERSION,
  jsiiVersion: '~6.0.0',

  // The fixed layout: sources (including the Lambda handler) in lib/, compiled in place.
  srcdir: 'lib',
  libdir: 'lib',
  testdir: 'test',

  // The handler is bundled below. Not lambda auto-discovery: its generated SingletonFunction wrapper
  // types uuid, runtime, code and handler as required props although it sets them itself.
  lambdaAutoDiscover: false,
  integrationTestAutoDiscover: false,

  devDeps: [
    '@aws-sdk/client-codeartifact@^3',
    '@aws-sdk/client-secrets-manager@^3',
    'aws-sdk-client-mock@^4',
    'cdk-nag@~2.38.2',
    '@aws-cdk/integ-runner@2.197.10',
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    '@types/aws-lambda',
  ],

  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      // lib/ holds both the .ts sources and jsii's compiled .js: resolve the sources first so tests
      // never run stale output.
      moduleFileExtensions: ['ts', 'js', 'json', 'node'],
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      coveragePathIgnorePatterns: ['/node_modules/', '/test/'],
    },
  },

  gitignore: ['/lib/**/*.js', '/lib/**/*.d.ts', '/integ/**/*.snapshot/asset.*'],

  githubOptions: { mergify: false },
  pullRequestTemplate: false,

  // Construct Hub lists the library in every jsii language; each package follows its ecosystem's naming.
  // The release workflow (GitHub Actions, from conventional commits on main) publishes all five.
  release: true,
  releaseToNpm: true,
  publishToPypi: {
    distName: 'cdk-codeartifact-token',
    module: 'cdk_codeartifact_token',
  },
  publishToMaven: {
    javaPackage: 'io.github.cdkcodeartifacttoken',
    mavenGroupId: 'io.github.cdk-codeartifact-token',
    mavenArtifactId: 'cdk-codeartifact-token',
  },
  publishToNuget: {
    dotNetNamespace: 'CdkCodeArtifactToken',
    packageId: 'CdkCodeArtifactToken',
  },
  publishToGo: {
    moduleName: 'github.com/cdk-codeartifact-token/cdk-codeartifact-token-go',
    packageName: 'cdkcodeartifacttoken',
  },
});

// The handler asset, shipped in the npm package: one minified file. The Node.js 24 runtime provides
// AWS SDK v3, so @aws-sdk/* stays external and the asset stays around ten kilobytes.
project.bundler.addBundle('./lib/handler/index.ts', {
  platform: 'node',
  target: 'node24',
  externals: ['@aws-sdk/*'],
  minify: true,
});

// lib/ is the source folder here, so undo projen's "lib is build output" ignores.
project.gitignore.removePatterns('/lib');
project.npmignore?.removePatterns('/lib/', '!/lib/', '!/lib/**/*.js', '!/lib/**/*.d.ts');
// Ship the compiled construct and the bundled handler asset; not the sources, handler modules or tooling.
project.npmignore?.addPatterns(
  '/lib/**/*.ts', '!/lib/**/*.d.ts', '!/lib/**/*.js', '/lib/handler/', '!/assets/',
  '/integ/', '/bench/', '/rosetta/', '/.ci/',
);
// What builds, tests and the bench write here: never committed and never packed. One list for both
// ignore files, since jsii-pacmak embeds the `npm pack` of this folder in every language's package (a
// venv left out of .npmignore once shipped inside the jar and the Go module).
const SCRATCH = ['/cdk.out/', '/.e2e/', '/.bench/', '/.packages/', '/.cfn-lint/', '/.jsii.tabl.json'];
project.gitignore.addPatterns(...SCRATCH);
project.npmignore?.addPatterns(...SCRATCH);

// integ/ (example apps, snapshots) and bench/ are type-checked and linted with the tests.
// (tsconfigDev lives in test/, so its includes are relative to it.)
project.tsconfigDev.addInclude('../lib/**/*.ts');
project.tsconfigDev.addInclude('../integ/**/*.ts');
project.tsconfigDev.addInclude('../bench/**/*.ts');
project.tsconfigDev.addInclude('../rosetta/**/*.ts');
project.eslint?.addLintPattern('integ');
// ESLint's project service reads the tsconfig.json nearest to each file: give integ/ and bench/ one.
for (const dir of ['integ', 'bench', 'rosetta']) {
  new JsonFile(project, `${dir}/tsconfig.json`, {
    obj: { extends: '../test/tsconfig.json', include: ['./**/*.ts', '../lib/**/*.ts'] },
  });
}
// The handler's imports are bundled at build time: devDependencies are right for them.
project.eslint?.allowDevDeps('lib/handler/**');
project.eslint?.allowDevDeps('integ/**');
project.eslint?.allowDevDeps('bench/**');
project.eslint?.addLintPattern('bench');
project.eslint?.addLintPattern('rosetta');
project.eslint?.allowDevDeps('rosetta/**');

// Tests synthesize stacks that point at the bundled handler: bundle before jest runs.
project.testTask.prependSpawn(project.bundler.bundleTask);

// ts-node must load lib/*.ts, not jsii's compiled lib/*.js next to them, which may be stale.
const INTEG_ENV = { TS_NODE_PREFER_TS_EXTS: 'true', CDK_VALIDATION: 'false' };

// integ-runner runs each case through ts-node, which type-checks aws-cdk-lib for every case (about
// 25 s each); type-checking integ/ once with tsc and then transpiling only keeps the check as strict
// and integ:verify well under a minute.
const INTEG_RUNNER_ENV = { ...INTEG_ENV, TS_NODE_TRANSPILE_ONLY: 'true' };
const INTEG_TYPECHECK = 'tsc --noEmit -p integ/tsconfig.json';

// Offline check of the committed integ snapshots (no AWS account needed).
const integVerify = project.addTask('integ:verify', {
  description: 'Synthesize every integ/integ.*.ts and compare it with its committed snapshot (no deploy)',
  steps: [
    { exec: INTEG_TYPECHECK },
    { exec: 'integ-runner --directory integ --language typescript --dry-run --parallel-regions us-east-1' },
  ],
  env: INTEG_RUNNER_ENV,
});
project.addTask('integ:update', {
  description: 'Re-synthesize the integ snapshots after a deliberate change (read the diff before committing)',
  steps: [
    { exec: INTEG_TYPECHECK },
    { exec: 'integ-runner --directory integ --language typescript --dry-run --update-on-failed --parallel-regions us-east-1' },
  ],
  env: INTEG_RUNNER_ENV,
});
project.testTask.spawn(integVerify);

// End to end on a local AWS: moto (Secrets Manager, in a virtualenv under .e2e/ that the run creates
// with a pinned moto[server]) and a local CodeArtifact endpoint, driving the handler asset exactly as
// synth ships it through a token's whole lifecycle and its faults. Kept out of `test`: it needs Python.
project.addTask('test:e2e', {
  description: 'Run the shipped handler through a whole token lifecycle and its faults on a local AWS (moto + a local CodeArtifact)',
  steps: [
    { spawn: project.bundler.bundleTask.name },
    { exec: 'jest --config test/e2e/jest.config.json --runInBand' },
  ],
});

project.addTask('demo', {
  description: 'Synthesize the example app in integ/, print what it creates, and run its token lifecycle on a local AWS',
  env: INTEG_ENV,
  steps: [
    { spawn: project.bundler.bundleTask.name },
    { exec: 'ts-node --project test/tsconfig.json test/local-aws/demo.ts' },
  ],
});

// A TypeScript CDK app installs the packed tarball and uses every public member.
project.addTask('test:tarball', {
  description: 'Pack the npm tarball and use every public member from a fresh TypeScript CDK app',
  steps: [
    { spawn: project.bundler.bundleTask.name },
    { spawn: 'compile' },
    { spawn: 'package:js' },
    { exec: 'bash test/packages/typescript/run.sh' },
  ],
});

// Performance against the alternatives users would write: prints a markdown table (bench/RESULTS.md).
// Not part of the test suite: measurements do not belong in timed tests.
project.addTask('bench', {
  description: 'Measure synth time, template size, handler size, cold start, API calls, cost and freshness against the alternatives',
  steps: [
    { spawn: project.bundler.bundleTask.name },
    { exec: 'ts-node --transpile-only --project test/tsconfig.json bench/run.ts' },
  ],
  env: { TS_NODE_PREFER_TS_EXTS: 'true', CDK_VALIDATION: 'false' },
});

// Every README snippet compiles in strict mode against the assembly (rosetta/default.ts-fixture puts it in
// a stack's constructor), so Construct Hub's Python, Java, C# and Go renderings are valid code. The
// README's Python quick start is the translation itself, checked on every compile.
const rosettaExtract = project.addTask('rosetta:extract', {
  description: 'Compile every README and doc snippet with jsii-rosetta in strict mode and translate it',
  exec: 'jsii-rosetta extract --strict',
});
project.addTask('docs:python', {
  description: "Rewrite the README's Python quick start from jsii-rosetta's translation of the TypeScript one",
  steps: [
    { spawn: rosettaExtract.name },
    { exec: 'ts-node --project test/tsconfig.json rosetta/python-quick-start.ts' },
  ],
});
const docsCheck = project.addTask('docs:check', {
  description: 'Check that every README snippet compiles in strict mode and the Python quick start is its translation',
  steps: [
    { spawn: rosettaExtract.name },
    { exec: 'ts-node --project test/tsconfig.json rosetta/python-quick-start.ts --check' },
    { exec: 'ts-node --project test/tsconfig.json rosetta/api-docs.ts' },
  ],
});
project.postCompileTask.spawn(docsCheck);

// .NET: jsii-pacmak needs a dotnet SDK. The release workflow sets one up; a machine without one says so
// loudly instead of failing `build` or passing silently.
const packageDotnet = project.tasks.tryFind('package:dotnet')!;
packageDotnet.reset(
  'if command -v dotnet >/dev/null 2>&1; then jsii-pacmak -v --target dotnet; ' +
  'else echo "package:dotnet SKIPPED: no dotnet SDK on this machine, so no NuGet package was built ' +
  '(the release workflow builds and publishes it with actions/setup-dotnet)" >&2; fi',
);
// `if` is beyond projen's built-in cross-platform shell.
packageDotnet.shell = TaskShell.bash();
// Go: generate the module's source only. jsii-pacmak's own `go mod tidy` check needs every aws-cdk-go
// dependency from the Go module proxy, which not every proxy serves; test:packages compiles and runs the
// generated package from a Go app instead, and publib-golang publishes the source.
project.tasks.tryFind('package:go')?.reset('jsii-pacmak -v --target go --code-only');

// Each jsii language, the way its CDK users would use it: a Python venv with the built wheel, a Maven
// project on the built jar, a Go module on the generated package; each synthesizes and asserts on the
// template. .NET is reported as skipped where no dotnet SDK exists.
project.addTask('test:packages', {
  description: 'Build the Python, Java and Go packages and synthesize a small app with each, asserting on the template',
  steps: [
    { spawn: 'compile' },
    { exec: 'bash test/packages/run.sh' },
  ],
});

// cfn-lint (pinned, in a virtualenv it creates) on every synthesized template: the integ snapshots and the
// demo app. Zero errors; each ignored rule has its reason in the script.
project.addTask('lint:templates', {
  description: 'Run cfn-lint on every integ snapshot template and on the demo app',
  exec: 'bash test/cfn-lint/run.sh',
});

/**
 * The npm registry reachable from our machines does not serve every platform's optional native
 * package (e.g. @unrs/resolver-binding-darwin-arm64, pulled in by jest 30), so `npm install` leaves
 * them out of package-lock.json and `npm ci` then refuses the lock as out of sync. Recording them
 * as optional entries keeps `npm ci` working; npm skips an optional package it cannot fetch.
 */
class LockfileOptionalEntries extends Component {
  public postSynthesize(): void {
    const file = path.join(this.project.outdir, 'package-lock.json');
    if (!fs.existsSync(file)) {
      return;
    }
    const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
    const packages: Record<string, any> = lock.packages ?? {};
    let changed = false;
    for (const entry of Object.values(packages)) {
      for (const [name, version] of Object.entries<string>(entry.optionalDependencies ?? {})) {
        if (!packages[`node_modules/${name}`]) {
          packages[`node_modules/${name}`] = { version, dev: entry.dev === true, optional: true };
          changed = true;
        }
      }
    }
    if (changed) {
      lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
      fs.writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
    }
  }
}
new LockfileOptionalEntries(project);

project.synth();
