import { awscdk, javascript } from 'projen';

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

  gitignore: ['/lib/**/*.js', '/lib/**/*.d.ts', '/integ/**/*.snapshot/asset.*', '/cdk.out/', '/.e2e/'],

  githubOptions: { mergify: false },
  pullRequestTemplate: false,
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
  '/lib/**/*.ts', '!/lib/**/*.d.ts', '/lib/handler/',
  '!/lib/**/*.js', '!/assets/', '/integ/', '/bench/', '/.ci/',
);

// integ/ (example apps, snapshots) and bench/ are type-checked and linted with the tests.
// (tsconfigDev lives in test/, so its includes are relative to it.)
project.tsconfigDev.addInclude('../lib/**/*.ts');
project.tsconfigDev.addInclude('../integ/**/*.ts');
project.tsconfigDev.addInclude('../bench/**/*.ts');
project.eslint?.addLintPattern('integ');
// integ/ is in no tsconfig that eslint's project service finds (the dev tsconfig lives in test/):
// let it parse integ/*.ts with the default project, as it does .projenrc.ts.
project.eslint?.allowDefaultProjectFiles('integ/*.ts');
// Example apps and integ tests run from the repository only: devDependencies are right for them.
project.eslint?.allowDevDeps('integ/**');
// The handler's imports are bundled at build time: devDependencies are right for them.
project.eslint?.allowDevDeps('lib/handler/**');
project.eslint?.addLintPattern('bench');

// Tests synthesize stacks that point at the bundled handler: bundle before jest runs.
project.testTask.prependSpawn(project.bundler.bundleTask);

// Offline check of the committed integ snapshots (no AWS account needed).
const integVerify = project.addTask('integ:verify', {
  description: 'Synthesize every integ/integ.*.ts and compare it with its committed snapshot (no deploy)',
  exec: 'integ-runner --directory integ --language typescript --dry-run --parallel-regions us-east-1',
  env: { CDK_VALIDATION: 'false' },
});
project.addTask('integ:update', {
  description: 'Re-synthesize the integ snapshots after a deliberate change (read the diff before committing)',
  exec: 'integ-runner --directory integ --language typescript --dry-run --update-on-failed --force --parallel-regions us-east-1',
  env: { CDK_VALIDATION: 'false' },
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
  steps: [
    { spawn: project.bundler.bundleTask.name },
    { exec: 'ts-node --project test/tsconfig.json integ/demo.ts' },
  ],
});

project.synth();
