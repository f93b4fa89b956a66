/**
 * The API calls the handler makes per deploy and per rotation, as the end-to-end run measured them
 * at the local endpoints: read from the first table of test/e2e/API_CALLS.md (written by
 * test/e2e/lifecycle.e2e.ts), so the bench reports what was counted rather than a copy of it.
 */
import * as fs from 'fs';
import * as path from 'path';

export const API_CALLS_FILE = path.join(__dirname, '..', 'test', 'e2e', 'API_CALLS.md');

/** The calls of one lifecycle step, by `service:Operation`, and their total. */
export interface StepCalls {
  readonly step: string;
  readonly calls: Readonly<Record<string, number>>;
  readonly total: number;
}

export interface ApiCalls {
  /** The first Create row: one deploy. */
  readonly deploy: StepCalls;
  /** The first scheduled rotation: createSecret, setSecret, testSecret and finishSecret together. */
  readonly rotation: StepCalls;
}

const cells = (line: string) => line.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());

/** Parses the first markdown table of API_CALLS.md: `| step | service:Operation ... | total |`. */
export function readApiCalls(file = API_CALLS_FILE): ApiCalls {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const start = lines.findIndex((l) => l.startsWith('| step |'));
  if (start < 0) throw new Error(`${file} has no "| step | ..." table: run \`npm run test:e2e\` to generate it`);
  const header = cells(lines[start]);
  const rows: StepCalls[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const row = cells(line);
    const calls: Record<string, number> = {};
    header.forEach((name, i) => {
      if (i > 0 && name !== 'total' && Number(row[i]) > 0) calls[name] = Number(row[i]);
    });
    const total = Number(row[header.indexOf('total')]);
    const sum = Object.values(calls).reduce((a, b) => a + b, 0);
    if (sum !== total) throw new Error(`${file}: the row "${row[0]}" adds up to ${sum}, but its total says ${total}`);
    rows.push({ step: row[0], calls, total });
  }
  const find = (prefix: string) => rows.find((r) => r.step.startsWith(prefix))
    ?? (() => { throw new Error(`${file}: no "${prefix}..." row in its first table`); })();
  return { deploy: find('Create'), rotation: find('Rotation') };
}

/** The calls of one service (`sts`, `secretsmanager`, `codeartifact`) in a step. */
export function callsOf(step: StepCalls, service: string): number {
  return Object.entries(step.calls).filter(([k]) => k.startsWith(`${service}:`)).reduce((n, [, c]) => n + c, 0);
}

/** `3 (AssumeRole, GetAuthorizationToken, PutSecretValue)`, with a count before an operation made more than once. */
export function describeCalls(step: StepCalls): string {
  const ops = Object.entries(step.calls)
    .map(([k, n]): [string, number] => [k.split(':')[1], n])
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([op, n]) => (n > 1 ? `${n} x ${op}` : op));
  return `${step.total} (${ops.join(', ')})`;
}
