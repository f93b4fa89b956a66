/**
 * Secrets Manager on this machine: moto in server mode, from a virtualenv the run creates itself
 * (under .e2e/, gitignored) with a pinned moto, so that a fresh CI machine and one that already has
 * moto installed behave the same.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { freePort } from './net';

export const MOTO_VERSION = '5.2.1';
export const PROJECT_ROOT = path.join(__dirname, '..', '..');

/**
 * Creates .e2e/venv if needed and installs `moto[server]==MOTO_VERSION` into it; returns its Python.
 * The venv sees the machine's site-packages, so a preinstalled moto of the pinned version is reused
 * (pip only checks it); any other version is shadowed by the pinned one inside the venv.
 */
export function ensureMotoVenv(log: (line: string) => void = () => undefined): string {
  const venv = path.join(PROJECT_ROOT, '.e2e', 'venv');
  const python = path.join(venv, 'bin', 'python');
  const marker = path.join(venv, `.moto-${MOTO_VERSION}-installed`);
  if (!fs.existsSync(python)) {
    log(`creating the virtualenv ${path.relative(PROJECT_ROOT, venv)}`);
    execFileSync(process.env.E2E_PYTHON ?? 'python3', ['-m', 'venv', '--system-site-packages', venv], { stdio: 'inherit' });
  }
  const installed = () => {
    try {
      return execFileSync(python, ['-c', 'import moto.server, moto; print(moto.__version__)'],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return 'none';
    }
  };
  // With the marker, pip is skipped and only the import is checked; a venv that lost moto is repaired.
  let version = fs.existsSync(marker) ? installed() : 'none';
  if (version !== MOTO_VERSION) {
    log(`installing moto[server]==${MOTO_VERSION} into the virtualenv`);
    execFileSync(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', `moto[server]==${MOTO_VERSION}`],
      { stdio: ['ignore', 'inherit', 'inherit'] });
    fs.writeFileSync(marker, `moto[server]==${MOTO_VERSION}\n`);
    version = installed();
  }
  if (version !== MOTO_VERSION) {
    throw new Error(`the e2e virtualenv has moto ${version}, expected ${MOTO_VERSION}: delete .e2e/ and run again`);
  }
  return python;
}

/** A running moto server on 127.0.0.1. */
export class MotoServer {
  public static async start(log?: (line: string) => void): Promise<MotoServer> {
    const python = ensureMotoVenv(log);
    const port = await freePort();
    const proc = spawn(python, [path.join(__dirname, 'moto_server.py'), '-H', '127.0.0.1', '-p', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
    });
    let output = '';
    proc.stdout!.on('data', (d) => { output += d; });
    proc.stderr!.on('data', (d) => { output += d; });
    const server = new MotoServer(proc, `http://127.0.0.1:${port}`);
    const started = Date.now();
    while (!(await server.isUp())) {
      if (proc.exitCode !== null || Date.now() - started > 30000) {
        proc.kill();
        throw new Error(`moto did not start (exit code ${proc.exitCode}):\n${output.slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return server;
  }

  private constructor(private readonly proc: ChildProcess, public readonly url: string) {}

  /** Forgets every resource: each scenario starts from an empty account. */
  public async reset(): Promise<void> {
    await request(`${this.url}/moto-api/reset`, 'POST');
  }

  public async stop(): Promise<void> {
    if (this.proc.exitCode === null) {
      const exited = new Promise((r) => this.proc.once('exit', r));
      this.proc.kill('SIGTERM');
      await exited;
    }
  }

  private async isUp(): Promise<boolean> {
    try {
      return (await request(`${this.url}/moto-api/`, 'GET')) < 500;
    } catch {
      return false;
    }
  }
}

function request(url: string, method: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}
