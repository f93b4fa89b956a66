import { awscdk } from 'projen';
import { TS_SOURCES_ENV } from './ts-node-env';

/**
 * Tasks on the local AWS kit (test/local-aws/): moto for Secrets Manager, in a virtualenv the run
 * creates with a pinned moto[server], and a local CodeArtifact endpoint. The e2e specs
 * (test/e2e/*.e2e.ts) and the demo drive the handler asset exactly as synth ships it through it.
 * Kept out of `test`: they need Python.
 */
export function addLocalAwsTasks(project: awscdk.AwsCdkConstructLibrary): void {
  project.addTask('test:e2e', {
    description: 'Run the shipped handler through a whole token lifecycle and its faults on a local AWS (moto + a local CodeArtifact)',
    steps: [
      { spawn: project.bundler.bundleTask.name },
      { exec: 'jest --config test/e2e/jest.config.json --runInBand' },
    ],
  });
  project.addTask('demo', {
    description: 'Synthesize the example app, print what it creates, and run its token lifecycle on a local AWS',
    env: TS_SOURCES_ENV,
    steps: [
      { spawn: project.bundler.bundleTask.name },
      { exec: 'ts-node --project test/tsconfig.json test/local-aws/demo.ts' },
    ],
  });
}
