/**
 * The child process that plays the Lambda runtime: it loads the bundled handler asset exactly as
 * shipped and invokes it for each event the parent sends, with a context whose remaining time
 * counts down from the given timeout. Like Lambda, it prints a failed invocation's error, so that
 * the leak scan of stdout/stderr covers what CloudWatch Logs would hold.
 */
interface Invoke { id: number; event: unknown; timeoutMs: number }

const asset = process.argv[2];
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { handler } = require(asset) as { handler: (event: unknown, context: unknown) => Promise<unknown> };

process.on('message', (msg: Invoke) => {
  const started = Date.now();
  const context = {
    functionName: 'CodeArtifactTokenHandler',
    awsRequestId: `e2e-${msg.id}`,
    getRemainingTimeInMillis: () => Math.max(0, started + msg.timeoutMs - Date.now()),
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`Task timed out after ${msg.timeoutMs / 1000} seconds`), { timedOut: true })), msg.timeoutMs);
  });
  Promise.race([handler(msg.event, context), timeout]).then(
    () => process.send!({ id: msg.id, ok: true, timedOut: false, ms: Date.now() - started }),
    (err: Error & { timedOut?: boolean }) => {
      console.error(`ERROR\tInvoke Error\t${JSON.stringify({ errorType: err.name, errorMessage: err.message })}`);
      process.send!({ id: msg.id, ok: false, error: err.message, timedOut: !!err.timedOut, ms: Date.now() - started });
    },
  ).finally(() => clearTimeout(timer));
});
// The parent checks that this is the Node.js major of the function's runtime.
process.send!({ nodeVersion: process.version });
