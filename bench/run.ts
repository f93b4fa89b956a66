/**
 * `npm run bench`: measures the library against what users would write instead, in one run, and
 * prints a markdown report (also written to bench/RESULTS.md and to the README's Performance section).
 * Not a test: figures vary by machine.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Variant, VARIANT_NAMES, VARIANTS } from './alternatives';
import { coldStartReport } from './cold-start';
import { costReport } from './cost';
import { freshnessRows } from './freshness';

const ROOT = path.join(__dirname, '..');
const WORK = path.join(ROOT, '.bench');
const TOKEN_COUNTS = [1, 10, 50, 100, 150];
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
// The README's Performance section, rewritten with each run's report.
const README_BEGIN = '<!-- bench-results:begin';
const README_END = '<!-- bench-results:end -->';

interface SynthResult {
  readonly variant: Variant;
  readonly tokens: number;
  readonly medianMs?: number;
  readonly templateBytes?: number;
  readonly resources?: number;
  readonly error?: string;
  readonly templateFile?: string;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Bundles the synth app once, so every run pays the same load cost and no TypeScript compile. */
function buildSynthApp(): string {
  const out = path.join(WORK, 'synth-app.js');
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'esbuild'), [
    path.join(__dirname, 'synth-app.ts'), '--bundle', '--platform=node', '--target=node20', '--packages=external',
    `--outfile=${out}`, '--log-level=warning',
  ], { stdio: 'inherit' });
  return out;
}

function synth(app: string, variant: Variant, tokens: number): SynthResult {
  const times: number[] = [];
  let outdir = '';
  for (let run = 0; run < RUNS; run++) {
    outdir = fs.mkdtempSync(path.join(WORK, `${variant}-${tokens}-`));
    const started = process.hrtime.bigint();
    const p = spawnSync(process.execPath, [app], {
      env: { ...process.env, BENCH_VARIANT: variant, BENCH_TOKENS: String(tokens), CDK_OUTDIR: outdir },
      encoding: 'utf8',
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (p.status !== 0) {
      const line = (p.stderr.match(/Number of resources in stack[^\n]*?greater than allowed maximum of \d+/) ?? [p.stderr.split('\n').find((l) => /Error/.test(l)) ?? 'failed'])[0];
      return { variant, tokens, error: line.replace(/^.*?Number/, 'Number').slice(0, 120) };
    }
    times.push(ms);
  }
  const templateFile = path.join(outdir, 'Bench.template.json');
  const template = JSON.parse(fs.readFileSync(templateFile, 'utf8'));
  return {
    variant,
    tokens,
    medianMs: median(times),
    templateBytes: fs.statSync(templateFile).size,
    resources: Object.keys(template.Resources).length,
    templateFile,
  };
}

/** The cfn-lint that `npx projen lint:templates` pins (test/cfn-lint/requirements.txt), from its installer. */
function cfnLint(): { bin: string; version: string } {
  const bin = execFileSync('bash', [path.join(ROOT, 'test', 'cfn-lint', 'install.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const version = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim().split(' ')[1];
  return { bin, version };
}

function lint(bin: string, file: string): string {
  const p = spawnSync(bin, ['--format', 'parseable', file], { encoding: 'utf8' });
  const findings = p.stdout.trim().split('\n').filter(Boolean);
  const errors = findings.filter((l) => /:E\d+:/.test(l) || /\bE\d{4}\b/.test(l));
  return p.status === 0 ? 'clean' : `${errors.length} errors, ${findings.length - errors.length} warnings`;
}

function fmt(n: number | undefined, digits = 0): string {
  return n === undefined ? '-' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

async function main(): Promise<void> {
  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(WORK, { recursive: true });
  const lines: string[] = [];
  const out = (s = '') => { lines.push(s); console.log(s); };
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  out(`Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; ${RUNS} runs per synth figure (median).`);
  out();

  const app = buildSynthApp();
  const results: SynthResult[] = [];
  for (const tokens of TOKEN_COUNTS) {
    for (const variant of VARIANTS) {
      const r = synth(app, variant, tokens);
      results.push(r);
      console.error(`synth ${variant} x${tokens}: ${r.error ?? `${fmt(r.medianMs)} ms, ${r.resources} resources`}`);
    }
  }
  const get = (v: Variant, n: number) => results.find((r) => r.variant === v && r.tokens === n)!;

  out('### Synthesis: whole `node` process, median wall time');
  out();
  out(`| tokens | ${VARIANTS.map((v) => VARIANT_NAMES[v]).join(' | ')} | ours / DIY | ours / per-token |`);
  out(`|---:|${VARIANTS.map(() => '---:').join('|')}|---:|---:|`);
  for (const n of TOKEN_COUNTS) {
    const cells = VARIANTS.map((v) => (get(v, n).error ? 'fails: > 500 resources' : `${fmt(get(v, n).medianMs)} ms`));
    const ratio = (other: Variant) => (get('ours', n).medianMs && get(other, n).medianMs ? `${fmt(get('ours', n).medianMs! / get(other, n).medianMs!, 2)}x` : '-');
    out(`| ${n} | ${cells.join(' | ')} | ${ratio('diy')} | ${ratio('per-token')} |`);
  }
  const s1 = get('ours', 1).medianMs!;
  const s100 = get('ours', 100).medianMs!;
  out();
  out(`Ours, 100 tokens against 1 token: ${fmt(s100 / s1, 2)}x (goal: within 2x).`);
  out();

  out('### Template: resources and size');
  out();
  out(`| tokens | ${VARIANTS.map((v) => `${VARIANT_NAMES[v]}: resources / bytes`).join(' | ')} |`);
  out(`|---:|${VARIANTS.map(() => '---:').join('|')}|`);
  for (const n of TOKEN_COUNTS) {
    out(`| ${n} | ${VARIANTS.map((v) => (get(v, n).error ? 'over the 500-resource limit' : `${get(v, n).resources} / ${fmt(get(v, n).templateBytes)}`)).join(' | ')} |`);
  }
  out();
  const perToken = (v: Variant) => {
    const ok = TOKEN_COUNTS.filter((n) => !get(v, n).error && n > 1);
    const n = ok[ok.length - 1];
    return n ? fmt((get(v, n).resources! - get(v, 1).resources!) / (n - 1), 2) : '-';
  };
  out(`Resources per added token: ${VARIANTS.map((v) => `${VARIANT_NAMES[v]} ${perToken(v)}`).join(', ')} (goal for ours: at most 3).`);
  out();

  const { bin, version } = cfnLint();
  const lintRows = results.filter((r) => r.tokens === 150 && r.templateFile);
  out(`cfn-lint ${version} on the 150-token templates: ${lintRows.map((r) => `${VARIANT_NAMES[r.variant]}: ${lint(bin, r.templateFile!)}`).join('; ')}.`);
  out();

  for (const line of await coldStartReport(ROOT, WORK, RUNS * 2)) out(line);
  for (const line of costReport()) out(line);

  out('### Token freshness: the least validity left on a token read at any moment');
  out();
  out('| tokenDuration | rotationInterval | rotation window | least validity left |');
  out('|---:|---:|---:|---:|');
  for (const row of freshnessRows()) {
    out(`| ${row.duration} | ${row.interval} | ${row.window} | ${row.left} |`);
  }
  out();

  fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), lines.join('\n') + '\n');
  console.error(`\nwritten to ${path.relative(ROOT, path.join(__dirname, 'RESULTS.md'))}`);
  publishInReadme(lines.join('\n'));
}

/** The README's Performance section holds the latest figures: replace what is between its markers. */
function publishInReadme(report: string) {
  const readmeFile = path.join(ROOT, 'README.md');
  const readme = fs.readFileSync(readmeFile, 'utf8');
  const begin = readme.indexOf(README_BEGIN);
  const end = readme.indexOf(README_END);
  if (begin < 0 || end < begin) {
    console.error(`README.md has no "${README_BEGIN}" ... "${README_END}" markers: not updated`);
    return;
  }
  const head = readme.slice(0, readme.indexOf('\n', begin) + 1);
  fs.writeFileSync(readmeFile, head + report.trim() + '\n' + readme.slice(end));
  console.error('README.md: Performance section updated');
}

void main();
