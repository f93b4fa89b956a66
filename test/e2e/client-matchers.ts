/**
 * `expect(run).toSucceed()` for a client run (a README snippet, npm, pip ...): when it fails, the
 * failure prints what the client said and what the proxy and the repositories saw of its requests
 * (`explainRun`), instead of `exitCode 1` alone. `.not.toSucceed()` prints the same when a run that
 * must be refused went through.
 */
import { ClientRun, explainRun } from '../local-aws/readme-snippets';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      /** The run exited 0; otherwise the message holds its output and trace. */
      toSucceed(): R;
    }
  }
}

expect.extend({
  toSucceed(run: ClientRun) {
    const pass = run.ok === true && run.exitCode === 0;
    return {
      pass,
      message: () => `expected the run ${pass ? 'to fail' : 'to succeed'}, but it ${explainRun(run)}`,
    };
  },
});
