/**
 * The real package managers of this machine, run against a CodeArtifact repository endpoint the way
 * a user configures them with a token from the secret:
 *
 *   npm:   ~/.npmrc with `registry=ENDPOINT` and `//ENDPOINT-WITHOUT-SCHEME:_authToken=TOKEN`
 *   pip:   `pip install --index-url https://aws:TOKEN@HOST/pypi/REPO/simple/ PKG`
 *   twine: `TWINE_USERNAME=aws TWINE_PASSWORD=TOKEN twine upload --repository-url ENDPOINT dist/*`
 *
 * Each run gets its own temporary HOME, npm cache and config, and no pip config or cache, so the
 * user's own setup is neither read nor changed. Output comes back with the token redacted.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Watchable } from './net';
import { ensurePythonVenv } from './python-venv';

/** twine for uploads, installed into the e2e virtualenv. */

export interface ClientResult {
  readonly ok: boolean;
  readonly exitCode: number;
  /** stdout and stderr, the token replaced by `<token>`. */
  readonly output: string;
  /** The temporary directory the client ran in (node_modules, the pip target ...), removed by `cleanup`. */
  readonly dir: string;
  /** What the watched servers saw during the run (see `ClientOptions.watch` and `explainRun`). */
  readonly trace: readonly string[];
  /** A failed npm run's debug logs, redacted. */
  readonly clientLog?: string;
}

export interface ClientOptions {
  /** The repository endpoint as CodeArtifact gives it, pointed at the local server (ends with `/`). */
  readonly endpoint: string;
  readonly token: string;
  /** Default 60 s. */
  readonly timeoutMs?: number;
  /** Servers whose view of the run's requests goes into `trace` (the repositories, a proxy). */
  readonly watch?: readonly Watchable[];
}

const dirs: string[] = [];

/** Removes every temporary directory the clients made. */
export function cleanup(): void {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** `npm install PKG` in a fresh project, with the registry and token in ~/.npmrc. */
export async function npmInstall(options: ClientOptions & { readonly pkg: string }): Promise<ClientResult> {
  const dir = tempDir('npm-install');
  fs.writeFileSync(path.join(dir, 'project', 'package.json'), JSON.stringify({ name: 'consumer', version: '0.0.0', private: true }));
  return run('npm', ['install', options.pkg, '--no-audit', '--no-fund'], path.join(dir, 'project'), npmEnv(dir, options), options, dir);
}

/** `npm publish` of a package directory (see `writeNpmPackage`), with the registry and token in ~/.npmrc. */
export async function npmPublish(options: ClientOptions & { readonly packageDir: string }): Promise<ClientResult> {
  const dir = tempDir('npm-publish');
  return run('npm', ['publish'], options.packageDir, npmEnv(dir, options), options, dir);
}

/** A tiny publishable npm package in a new temporary directory; returns the directory. */
export function writeNpmPackage(name: string, version: string): string {
  const dir = tempDir('npm-package');
  const pkg = path.join(dir, 'project');
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name, version, main: 'index.js', license: 'MIT' }, undefined, 2));
  fs.writeFileSync(path.join(pkg, 'index.js'), `module.exports = ${JSON.stringify(`${name}@${version}`)};\n`);
  return pkg;
}

/** `pip install --no-cache-dir --target DIR/target PKG` from the repository's simple index, token in the URL. */
export async function pipInstall(options: ClientOptions & { readonly pkg: string }): Promise<ClientResult> {
  const python = ensurePythonVenv();
  const dir = tempDir('pip-install');
  const index = new URL('simple/', options.endpoint);
  index.username = 'aws';
  index.password = options.token;
  return run(python, [
    '-m', 'pip', 'install', '--no-cache-dir', '--disable-pip-version-check', '--no-input', '--no-deps',
    '--target', path.join(dir, 'target'), '--index-url', index.toString(), options.pkg,
  ], dir, pythonEnv(dir, {}), options, dir);
}

/** `twine upload --repository-url ENDPOINT FILES` with TWINE_USERNAME=aws and TWINE_PASSWORD=TOKEN. */
export async function twineUpload(options: ClientOptions & { readonly files: readonly string[] }): Promise<ClientResult> {
  const python = ensurePythonVenv();
  const dir = tempDir('twine');
  return run(python, [
    '-m', 'twine', 'upload', '--non-interactive', '--disable-progress-bar', '--repository-url', options.endpoint, ...options.files,
  ], dir, pythonEnv(dir, { TWINE_USERNAME: 'aws', TWINE_PASSWORD: options.token }), options, dir);
}

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ca-${prefix}-`));
  dirs.push(dir);
  for (const sub of ['home', 'project', 'target']) fs.mkdirSync(path.join(dir, sub));
  return dir;
}

/**
 * The settings that keep npm, pip, twine, pnpm, Yarn, uv and Poetry off the user's own configuration,
 * caches and keyring: `home` as HOME (and XDG directories, where pnpm, uv and Poetry keep theirs),
 * npm's user and global config and cache inside it, no pip config file, no user site-packages, the
 * null keyring, no keyring, no version checks, update notices or telemetry, no prompts.
 */
export function isolatedClientEnv(home: string): Record<string, string> {
  return {
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    npm_config_userconfig: path.join(home, '.npmrc'),
    npm_config_globalconfig: path.join(home, 'npmrc-global'),
    npm_config_cache: path.join(home, '.npm'),
    npm_config_update_notifier: 'false',
    // npm's own retries (2), as a user has them, for a connection reset on a loaded machine; quicker
    // than npm's 10 s to 60 s back-off. Refusals (401, 403, 404) are never retried.
    npm_config_fetch_retry_mintimeout: '1000',
    npm_config_fetch_retry_maxtimeout: '5000',
    PIP_CONFIG_FILE: '/dev/null',
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PIP_KEYRING_PROVIDER: 'disabled',
    PYTHONNOUSERSITE: '1',
    PYTHON_KEYRING_BACKEND: 'keyring.backends.null.Keyring',
    YARN_ENABLE_TELEMETRY: '0',
    // uv uses the machine's Python; it never fetches one (the network holds only the registries).
    UV_PYTHON_DOWNLOADS: 'never',
    POETRY_NO_INTERACTION: '1',
  };
}

/** The environment without anything that configures npm, pip or twine, with a temporary HOME. */
function baseEnv(dir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(npm_|pip_|twine_|python|virtual_env|node_options|xdg_)/i.test(k)) env[k] = v;
  }
  return { ...env, ...isolatedClientEnv(path.join(dir, 'home')) };
}

function npmEnv(dir: string, options: ClientOptions): NodeJS.ProcessEnv {
  const env = baseEnv(dir);
  const registry = new URL(options.endpoint);
  fs.writeFileSync(env.npm_config_userconfig!, [
    `registry=${registry}`,
    `//${registry.host}${registry.pathname}:_authToken=${options.token}`,
    '',
  ].join('\n'), { mode: 0o600 });
  return env;
}

function pythonEnv(dir: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...baseEnv(dir), ...extra };
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, options: ClientOptions, dir: string): Promise<ClientResult> {
  const seen = (options.watch ?? []).map((w) => w.watch());
  return new Promise((resolve, reject) => {
    const proc = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout.on('data', (d) => { output += d; });
    proc.stderr.on('data', (d) => { output += d; });
    const timer = setTimeout(() => proc.kill('SIGKILL'), options.timeoutMs ?? 60000);
    proc.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(redact(`${command} could not start: ${e.message}`, options.token)));
    });
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      const exitCode = code ?? (signal ? 128 : 1);
      const trace = seen.flatMap((lines) => lines()).sort().map((l) => redact(l, options.token));
      const log = exitCode === 0 ? undefined : npmDebugLogs(path.join(dir, 'home'));
      resolve({
        ok: exitCode === 0,
        exitCode,
        output: redact(output, options.token),
        dir,
        trace,
        ...(log ? { clientLog: redact(log, options.token) } : {}),
      });
    });
  });
}

/** Replaces the token, also URL-encoded and inside a Basic `aws:TOKEN` credential, with `replacement`. */
export function redact(text: string, token: string, replacement = '<token>'): string {
  const forms = new Set([token, encodeURIComponent(token), Buffer.from(`aws:${token}`).toString('base64')]);
  let out = text;
  for (const form of forms) if (form) out = out.split(form).join(replacement);
  return out;
}

/**
 * The last lines of npm's newest debug log under `home` (that of the last npm command, the one that
 * failed under `bash -e`: the timing and status of each request, retries, the error's stack), or
 * undefined when npm wrote none.
 */
export function npmDebugLogs(home: string, lines = 60): string | undefined {
  const dir = path.join(home, '.npm', '_logs');
  if (!fs.existsSync(dir)) return undefined;
  const newest = fs.readdirSync(dir).filter((f) => f.endsWith('-debug-0.log')).sort().pop();
  if (!newest) return undefined;
  const all = fs.readFileSync(path.join(dir, newest), 'utf8').trimEnd().split('\n');
  return [`${newest}${all.length > lines ? ` (its last ${lines} of ${all.length} lines)` : ''}:`, ...all.slice(-lines)].join('\n');
}
