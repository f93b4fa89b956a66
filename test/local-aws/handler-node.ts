/**
 * The Node.js that plays the Lambda runtime: the handler must run on the major its function's
 * runtime names (`nodejs24.x`), not on whatever Node runs the tests, since a bug that only that
 * major shows (fetch, TLS defaults, timers, module loading) would otherwise reach users untested.
 *
 * HANDLER_NODE, when set, names the node binary to use (to try another major, or the machine's own).
 * Otherwise the runtime's major is installed under .e2e/ the first time, from the npm registry, by
 * test/node/install.sh (as the kit's Python venv is), and reused after that.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { PROJECT_ROOT } from './python-venv';

/** The env var that names the node binary the handler runs on. */
export const HANDLER_NODE_ENV = 'HANDLER_NODE';

const INSTALL_SCRIPT = path.join(PROJECT_ROOT, 'test', 'node', 'install.sh');
const resolved = new Map<string, string>();

/** The major of a Lambda Node.js runtime name: 24 for `nodejs24.x`. */
export function runtimeMajor(runtime: string): number {
  const m = /^nodejs(\d+)\.x$/.exec(runtime);
  if (!m) {
    throw new Error(`the handler's runtime ${JSON.stringify(runtime)} is not a Lambda Node.js runtime (nodejsNN.x)`);
  }
  return Number(m[1]);
}

/** The node binary the handler of a function with this runtime runs on (installing it if needed). */
export function handlerNode(runtime: string): string {
  const chosen = process.env[HANDLER_NODE_ENV];
  if (chosen) {
    return chosen;
  }
  const major = String(runtimeMajor(runtime));
  let bin = resolved.get(major);
  if (!bin) {
    // Quick when installed (one `node --version`); the first time, one package from the npm registry.
    bin = execFileSync('bash', [INSTALL_SCRIPT, major], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
    resolved.set(major, bin);
  }
  return bin;
}

/** `process.version` of a node binary, e.g. `v24.22.3`. */
export function nodeVersion(bin: string): string {
  return execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
}
