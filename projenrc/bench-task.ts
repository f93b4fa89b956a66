import { awscdk } from 'projen';
import { TS_SOURCES_ENV } from './ts-node-env';

/**
 * Performance against the alternatives users would write: prints a markdown report (bench/RESULTS.md).
 * Not part of the test suite: measurements do not belong in timed tests.
 */
export function addBenchTask(project: awscdk.AwsCdkConstructLibrary): void {
  project.addTask('bench', {
    description: 'Measure synth time, template size, handler size, cold start, API calls, cost and freshness against the alternatives',
    steps: [
      { spawn: project.bundler.bundleTask.name },
      { exec: 'ts-node --transpile-only --project test/tsconfig.json bench/run.ts' },
    ],
    env: TS_SOURCES_ENV,
  });
}
