/**
 * The kit's Python: a virtualenv under .e2e/ (gitignored) that the run creates itself with the
 * pinned requirements.txt beside this file, so that a fresh CI machine and one that already has
 * moto installed behave the same.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const PROJECT_ROOT = path.join(__dirname, '..', '..');
const REQUIREMENTS = path.join(__dirname, 'requirements.txt');

/** The pinned requirements, `name==version` (extras kept), without comments. */
export function pinnedRequirements(): string[] {
  return fs.readFileSync(REQUIREMENTS, 'utf8').split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
}

/** The pinned version of one requirement, e.g. `pinnedVersion('moto')`. */
export function pinnedVersion(name: string): string {
  const line = pinnedRequirements().find((r) => r.replace(/\[.*\]/, '').split('==')[0] === name);
  if (!line) throw new Error(`${REQUIREMENTS} does not pin ${name}`);
  return line.split('==')[1];
}

/**
 * Creates .e2e/venv if needed and installs requirements.txt into it; returns its Python.
 * The venv sees the machine's site-packages, so preinstalled packages of the pinned versions are
 * reused (pip only checks them); any other version is shadowed by the pinned one inside the venv.
 * A marker named after the requirements' content skips pip until they change, unless `healthy`
 * says the venv lost something (then pip repairs it).
 */
export function ensurePythonVenv(log: (line: string) => void = () => undefined, healthy: (python: string) => boolean = () => true): string {
  const venv = path.join(PROJECT_ROOT, '.e2e', 'venv');
  const python = path.join(venv, 'bin', 'python');
  const requirements = pinnedRequirements();
  const marker = path.join(venv, `.installed-${requirements.join('_').replace(/[^A-Za-z0-9_.=-]/g, '')}`);
  if (!fs.existsSync(python)) {
    log(`creating the virtualenv ${path.relative(PROJECT_ROOT, venv)}`);
    execFileSync(process.env.E2E_PYTHON ?? 'python3', ['-m', 'venv', '--system-site-packages', venv], { stdio: 'inherit' });
  }
  if (!fs.existsSync(marker) || !healthy(python)) {
    log(`installing ${requirements.join(', ')} into the virtualenv`);
    execFileSync(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', '-r', REQUIREMENTS],
      { stdio: ['ignore', 'inherit', 'inherit'] });
    fs.writeFileSync(marker, requirements.join('\n') + '\n');
  }
  return python;
}
