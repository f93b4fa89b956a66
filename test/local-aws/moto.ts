/**
 * Secrets Manager (and STS) on this machine: moto in server mode, from the kit's virtualenv with
 * the moto pinned in requirements.txt.
 */
import { ChildProcess, spawn } from 'child_process';
import * as http from 'http';
import * as path from 'path';
import { freePort } from './net';
import { ensurePythonVenv } from './python-venv';

/** A running moto server on 127.0.0.1. */
export class MotoServer {
  /** @param env more environment for moto_server.py, e.g. E2E_ROTATION_INVOKE_URL */
  public static async start(log?: (line: string) => void, env: Record<string, string> = {}): Promise<MotoServer> {
    const python = ensurePythonVenv(log);
    const port = await freePort();
    const proc = spawn(python, [path.join(__dirname, 'moto_server.py'), '-H', '127.0.0.1', '-p', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONUNBUFFERED: '1', ...env },
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
