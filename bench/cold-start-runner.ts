/**
 * One cold start, in a fresh node process: load a handler module, serve one CloudFormation Create
 * event, and report the times as a JSON line. Argument: the handler file; the event comes on stdin.
 *
 * With REDIRECT_HTTPS_TO set, https.request goes to that local plain-HTTP port instead, so the
 * AwsCustomResource handler (which sends its response with https.request and no port) can answer
 * the local stand-in for CloudFormation's ResponseURL, as ours does over http: neither pays TLS.
 */
import * as fs from 'fs';
import * as http from 'http';

const redirect = process.env.REDIRECT_HTTPS_TO;
if (redirect) {
  // The very module object the handler will require (a namespace import could not be patched).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const https: { request: unknown } = require('https');
  https.request = (options: http.RequestOptions, callback?: (res: http.IncomingMessage) => void) =>
    http.request({ ...options, protocol: 'http:', hostname: '127.0.0.1', port: Number(redirect) }, callback);
}

async function main(): Promise<void> {
  const event = JSON.parse(fs.readFileSync(0, 'utf8'));
  const loadStart = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(process.argv[2]);
  const loaded = performance.now();
  await mod.handler(event, { getRemainingTimeInMillis: () => 120_000, logStreamName: 'bench', functionName: 'bench' });
  const done = performance.now();
  // performance.now() counts from the start of this process: node's own start-up is included.
  process.stderr.write(`${JSON.stringify({ loadMs: loaded - loadStart, invokeMs: done - loaded, coldStartMs: done })}\n`);
}

void main();
