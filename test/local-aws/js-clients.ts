/**
 * The kit's JavaScript package managers besides npm: pnpm and Yarn (berry), pinned and installed from
 * the npm registry into .e2e/clients (gitignored) the first time a run needs them, so that a fresh
 * clone's CI has them without corepack (which would download Yarn from its own site, not the registry).
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

const PREFIX = path.join(PROJECT_ROOT, '.e2e', 'clients');

/** The directory holding the `pnpm` and `yarn` commands, once `ensureJsClients` ran. */
export const JS_CLIENTS_BIN = path.join(PREFIX, 'node_modules', '.bin');

/** Installs the pinned clients into .e2e/clients unless every one is there at its version; returns the bin directory. */
export function ensureJsClients(log: (line: string) => void = () => undefined): string {
  const wrong = () => Object.entries(JS_CLIENTS).filter(([name, version]) => installedVersion(name) !== version);
  if (wrong().length > 0) {
    const specs = Object.entries(JS_CLIENTS).map(([n, v]) => `${n}@${v}`);
    log(`installing ${specs.join(', ')} into ${path.relative(PROJECT_ROOT, PREFIX)}`);
    fs.mkdirSync(PREFIX, { recursive: true });
    // A package.json of its own, so npm never walks up into the project's.
    fs.writeFileSync(path.join(PREFIX, 'package.json'), JSON.stringify({ private: true, description: 'the e2e\'s pnpm and Yarn' }) + '\n');
    // --ignore-scripts: neither needs an install script; nothing of theirs runs before a test runs them.
    execFileSync('npm', ['install', '--prefix', PREFIX, '--no-audit', '--no-fund', '--no-save', '--ignore-scripts', '--loglevel=error', ...specs],
      { stdio: ['ignore', 'inherit', 'inherit'] });
    const still = wrong();
    if (still.length > 0) {
      throw new Error(`${PREFIX} has ${still.map(([n]) => `${n} ${installedVersion(n) ?? 'none'}`).join(', ')}, not the pinned versions: delete it and run again`);
    }
  }
  return JS_CLIENTS_BIN;
}

function installedVersion(name: string): string | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(PREFIX, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}
