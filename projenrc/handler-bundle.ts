import { awscdk } from 'projen';

/**
 * The handler asset, shipped in the npm package: one minified file built by esbuild. The Node.js 24
 * runtime provides AWS SDK v3, so the `@aws-sdk` packages stay external and the asset stays around ten
 * kilobytes.
 * Tests synthesize stacks that point at the bundle, so `test` bundles before jest runs.
 */
export function addHandlerBundle(project: awscdk.AwsCdkConstructLibrary): void {
  project.bundler.addBundle('./lib/handler/index.ts', {
    platform: 'node',
    target: 'node24',
    externals: ['@aws-sdk/*'],
    minify: true,
  });
  project.testTask.prependSpawn(project.bundler.bundleTask);
}
