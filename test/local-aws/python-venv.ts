/**
 * The kit's Python: a virtualenv under .e2e/ (gitignored) that the run creates itself with the
 * pinned requirements.txt beside this file (moto, twine), so that a fresh CI machine and one that
 * already has some of them installed behave the same.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const PROJECT_ROOT = path.join(__dirname, '..', '..');
const REQUIREMENTS = path.join(__dirname, 'requirements.txt');
const VENV = path.join(PROJECT_ROOT, '.e2e', 'venv');

/** The pinned requirements as `{ distribution: version }` (extras dropped). */
export function pinnedRequirements(requirements = REQUIREMENTS): Record<string, string> {
  const lines = fs.readFileSync(requirements, 'utf8').split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
  return Object.fromEntries(lines.map((l) => {
    const [name, version] = l.split('==');
    return [name.replace(/\[.*\]/, ''), version];
  }));
}

/**
 * Creates .e2e/venv if needed and makes sure it has every pinned version; returns its Python.
 * The venv sees the machine's site-packages, so preinstalled packages of the pinned versions are
 * reused (pip only checks them); any other version is shadowed by the pinned one inside the venv.
 */
export function ensurePythonVenv(log: (line: string) => void = () => undefined): string {
  return ensureVenv(VENV, REQUIREMENTS, { systemSitePackages: true }, log);
}

/**
 * Creates a virtualenv at `venv` if needed and makes sure it has every version `requirements` pins;
 * returns its Python. `systemSitePackages: false` for a tool whose pins clash with the kit's (MiniStack
 * pins a botocore that the kit's awscli does not accept).
 */
export function ensureVenv(
  venv: string, requirements: string, opts: { systemSitePackages: boolean }, log: (line: string) => void = () => undefined,
): string {
  const python = path.join(venv, 'bin', 'python');
  if (!fs.existsSync(python)) {
    log(`creating the virtualenv ${path.relative(PROJECT_ROOT, venv)}`);
    execFileSync(process.env.E2E_PYTHON ?? 'python3', ['-m', 'venv', ...(opts.systemSitePackages ? ['--system-site-packages'] : []), venv], { stdio: 'inherit' });
  }
  const pinned = pinnedRequirements(requirements);
  const wrong = () => {
    const installed = installedVersions(python, Object.keys(pinned));
    return Object.entries(pinned).filter(([name, version]) => installed[name] !== version).map(([name]) => `${name} ${installed[name] ?? 'none'}`);
  };
  if (wrong().length > 0) {
    log(`installing ${Object.entries(pinned).map(([n, v]) => `${n}==${v}`).join(', ')} into the virtualenv`);
    execFileSync(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', '-r', requirements],
      { stdio: ['ignore', 'inherit', 'inherit'] });
    const still = wrong();
    if (still.length > 0) {
      throw new Error(`the e2e virtualenv has ${still.join(', ')}, not the versions ${requirements} pins: delete ${path.relative(PROJECT_ROOT, venv)} and run again`);
    }
  }
  return python;
}

/** The installed versions of some distributions, as the venv's Python sees them (one process). */
function installedVersions(python: string, names: string[]): Record<string, string> {
  const script = 'import importlib.metadata as m, json, sys\nout = {}\nfor n in sys.argv[1:]:\n'
    + '    try: out[n] = m.version(n)\n    except m.PackageNotFoundError: pass\nprint(json.dumps(out))';
  try {
    return JSON.parse(execFileSync(python, ['-c', script, ...names], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  } catch {
    return {};
  }
}
