import { awscdk, javascript } from 'projen';
import { addBenchTask } from './projenrc/bench-task';
import { addCfnLintTask } from './projenrc/cfn-lint-task';
import { CI_TOOLCHAIN_STEPS, runCiScriptInBuildWorkflow } from './projenrc/ci-workflow';
import { addCompatTask } from './projenrc/compat-task';
import { addDocsTasks } from './projenrc/docs-tasks';
import { addHandlerBundle } from './projenrc/handler-bundle';
import { configureIgnoreFiles } from './projenrc/ignore-files';
import { addIntegTasks } from './projenrc/integ-tasks';
import { addLocalAwsTasks } from './projenrc/local-aws-tasks';
import { LockfileOptionalEntries } from './projenrc/lockfile-optional-entries';
import { addPackageTasks } from './projenrc/package-tasks';
import { lintToolingFolders } from './projenrc/tooling-folders';

// What users may bring: the lowest aws-cdk-lib and constructs every feature of lib/ works with, found by
// installing releases and running the construct tests on them (test/compat/run.sh, in .ci/run, proves it
// on every change). 2.110.0 is the first release whose lambda.Function takes a logGroup (LoggingConfig):
// on 2.109.0 the handler's LoggingConfig is silently dropped, and the handler could not write its logs.
// Newer conveniences are avoided in lib/ (Runtime.NODEJS_24_X needs 2.224.0, CustomResource's
// serviceTimeout 2.174.0). aws-cdk-lib 2.110.0 asks for constructs ^10.0.0, and nothing here needs more.
const CDK_MINIMUM = '2.110.0';
const CONSTRUCTS_MINIMUM = '10.0.0';
// What we develop and run every other test with. 2.257.0 is the newest release whose cloud assembly
// (schema 53) the integ tooling we pin (@aws-cdk/integ-runner 2.197.10) can still read: raising it breaks
// `integ-runner` with "Cloud assembly schema version mismatch".
const CDK_DEVELOPMENT = '2.257.0';
const CONSTRUCTS_DEVELOPMENT = '10.5.1';

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

  // aws-cdk-lib and constructs become peer dependencies from their minimum on (^); the dev dependencies
  // are pinned to the development versions below instead of projen's default, the minimum.
  cdkVersion: CDK_MINIMUM,
  constructsVersion: CONSTRUCTS_MINIMUM,
  peerDependencyOptions: { pinnedDevDependency: false },
  jsiiVersion: '~6.0.0',

  // The fixed layout: sources (including the Lambda handler) in lib/, compiled in place.
  srcdir: 'lib',
  libdir: 'lib',
  testdir: 'test',

  // The handler is bundled by projenrc/handler-bundle.ts, not by lambda auto-discovery: its generated
  // SingletonFunction wrapper types uuid, runtime, code and handler as required props although it
  // sets them itself.
  lambdaAutoDiscover: false,
  integrationTestAutoDiscover: false,

  devDeps: [
    `aws-cdk-lib@${CDK_DEVELOPMENT}`,
    '@aws-sdk/client-codeartifact@^3',
    '@aws-sdk/client-secrets-manager@^3',
    '@aws-sdk/client-sts@^3',
    // The ministack-deploy e2e drives MiniStack's CloudFormation, S3 (the assets), Lambda (the rotation
    // steps) and IAM (its policy simulator) as a user's tools would.
    '@aws-sdk/client-cloudformation@^3',
    '@aws-sdk/client-iam@^3',
    '@aws-sdk/client-lambda@^3',
    '@aws-sdk/client-s3@^3',
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
  // Pull requests run .ci/run, our whole CI (see projenrc/ci-workflow.ts). It fails on any file the
  // build changes, so there is never a self-mutation to push back: the build is not mutable.
  buildWorkflowOptions: {
    mutableBuild: false,
    preBuildSteps: CI_TOOLCHAIN_STEPS,
  },

  // Construct Hub lists the library in every jsii language; each package follows its ecosystem's naming.
  // The release workflow (GitHub Actions, from conventional commits on main) publishes all five.
  release: true,
  // The release workflow runs publib with the publishing secrets in reach: a pinned version, never "latest".
  jsiiReleaseVersion: '0.2.1061',
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

// Here rather than in devDeps: projen's CDK dependency setup replaces any constructs devDependency given there.
project.addDevDeps(`constructs@${CONSTRUCTS_DEVELOPMENT}`);

// jsii asks for devDependencies at the peers' minimum (JSII6, metadata/missing-dev-dependency): we develop on
// newer ones on purpose, and test/compat/run.sh runs the construct tests on the minimum instead.
project.compileTask.reset('jsii --silence-warnings=reserved-word --silence-warnings=metadata/missing-dev-dependency');

// Each call adds one concern; its module says why.
addHandlerBundle(project); // lib/handler/ -> one minified asset, bundled before tests
configureIgnoreFiles(project); // lib/ is the source folder; what git and the npm package leave out
lintToolingFolders(project); // integ/, bench/, rosetta/ type-checked and linted with test/
addIntegTasks(project); // integ:verify (part of test), integ:update
addLocalAwsTasks(project); // test:e2e, demo
addPackageTasks(project); // test:tarball, test:packages; package:dotnet and package:go adjusted
addCompatTask(project); // test:compat: the oldest and the newest aws-cdk-lib the peer range accepts
addCfnLintTask(project); // lint:templates
addDocsTasks(project); // rosetta:extract, docs:check (after every compile)
addBenchTask(project); // bench
new LockfileOptionalEntries(project); // keeps `npm ci` working on every platform
runCiScriptInBuildWorkflow(project); // the build workflow runs .ci/run

project.synth();
