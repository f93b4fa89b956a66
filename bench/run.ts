/**
 * `npm run bench`: measures the library against what users would write instead, in one run, and
 * prints a markdown report (also written to bench/RESULTS.md); a short summary built from the same
 * figures goes into the README's Performance section. Not a test: figures vary by machine.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Variant, VARIANT_NAMES, VARIANTS } from './alternatives';
import { describeCalls, readApiCalls } from './api-calls';
import { burstReport } from './burst';
import { coldStartReport } from './cold-start';
import { costReport } from './cost';
import { freshnessRows } from './freshness';
import { Spread, spread } from './stats';
import { deriveRotation, worstCaseValiditySeconds } from '../lib/validation';

const ROOT = path.join(__dirname, '..');
const WORK = path.join(ROOT, '.bench');
const TOKEN_COUNTS = [1, 10, 50, 100, 150];
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
// The README's Performance section: a summary of each run, between these markers.
const README_BEGIN = '<!-- bench-results:begin';
const README_END = '<!-- bench-results:end -->';
/** The most resources each added token may cost: by default, and with named repositories (the issuer's policies grow). */
// 3 resources per token (secret, custom resource, schedule), and the policies that grow with the tokens'
// rights and their bindings to the template: at most 3.05 in all (issue 15's limit).
const GOAL_PER_TOKEN: Partial<Record<Variant, number>> = { 'ours': 3.05, 'ours-repositories': 3.05, 'ours-short': 3.05, 'ours-replicas': 3.05 };

interface SynthResult {
  readonly variant: Variant;
  readonly tokens: number;
  readonly ms?: Spread;
  readonly templateBytes?: number;
  readonly resources?: number;
  readonly managedPolicies?: number;
  readonly error?: string;
  readonly templateFile?: string;
}


/** Bundles the synth app once, so every run pays the same load cost and no TypeScript compile. */
function buildSynthApp(): string {
  const out = path.join(WORK, 'synth-app.js');
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'esbuild'), [
    path.join(__dirname, 'synth-app.ts'), '--bundle', '--platform=node', '--target=node20', '--packages=external',
    `--outfile=${out}`, '--log-level=warning',
  ], { stdio: 'inherit' });
  return out;
}

/** One synthesis in its own node process: its wall time, or why it failed. */
function synthOnce(app: string, variant: Variant, tokens: number, outdir: string): { ms: number } | { error: string } {
  const started = process.hrtime.bigint();
  const p = spawnSync(process.execPath, [app], {
    env: { ...process.env, BENCH_VARIANT: variant, BENCH_TOKENS: String(tokens), CDK_OUTDIR: outdir },
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (p.status !== 0) {
    const line = (p.stderr.match(/Number of resources in stack[^\n]*?greater than allowed maximum of \d+/) ?? [p.stderr.split('\n').find((l) => /Error/.test(l)) ?? 'failed'])[0];
    return { error: line.replace(/^.*?Number/, 'Number').slice(0, 120) };
  }
  return { ms };
}

/**
 * Every variant at `tokens`, RUNS times, interleaved (A B C D A B C D ...) so that a slow moment of
 * the machine falls on all of them alike. A variant that fails once is not run again.
 */
function synthInterleaved(app: string, tokens: number): SynthResult[] {
  const times = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));
  const errors = new Map<Variant, string>();
  const outdirs = new Map<Variant, string>();
  for (let run = 0; run < RUNS; run++) {
    for (const variant of VARIANTS.filter((v) => !errors.has(v))) {
      const outdir = fs.mkdtempSync(path.join(WORK, `${variant}-${tokens}-`));
      const r = synthOnce(app, variant, tokens, outdir);
      if ('error' in r) {
        errors.set(variant, r.error);
      } else {
        times.get(variant)!.push(r.ms);
        outdirs.set(variant, outdir);
      }
    }
  }
  return VARIANTS.map((variant): SynthResult => {
    if (errors.has(variant)) return { variant, tokens, error: errors.get(variant) };
    const templateFile = path.join(outdirs.get(variant)!, 'Bench.template.json');
    const resources = Object.values<any>(JSON.parse(fs.readFileSync(templateFile, 'utf8')).Resources);
    return {
      variant,
      tokens,
      ms: spread(times.get(variant)!),
      templateBytes: fs.statSync(templateFile).size,
      resources: resources.length,
      managedPolicies: resources.filter((r) => r.Type === 'AWS::IAM::ManagedPolicy').length,
      templateFile,
    };
  });
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

const fmtSpread = (s: Spread, digits = 0) => `${fmt(s.median, digits)} ms (${fmt(s.min, digits)}-${fmt(s.max, digits)})`;

async function main(): Promise<void> {
  const started = Date.now();
  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(WORK, { recursive: true });
  const lines: string[] = [];
  const out = (s = '') => { lines.push(s); console.log(s); };
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  out(`Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version} synthesizing (the handler's Node: see its cold start); ` +
    `${RUNS} runs per synth figure, the variants interleaved; median (min-max).`);
  out();

  const app = buildSynthApp();
  const results: SynthResult[] = [];
  for (const tokens of TOKEN_COUNTS) {
    for (const r of synthInterleaved(app, tokens)) {
      results.push(r);
      console.error(`synth ${r.variant} x${tokens}: ${r.error ?? `${fmt(r.ms!.median)} ms, ${r.resources} resources`}`);
    }
  }
  const get = (v: Variant, n: number) => results.find((r) => r.variant === v && r.tokens === n)!;

  out('### Synthesis: whole `node` process, wall time, median (min-max)');
  out();
  const others: Variant[] = ['diy', 'per-token'];
  out(`| tokens | ${VARIANTS.map((v) => VARIANT_NAMES[v]).join(' | ')} | ${others.map((o) => `ours / ${o === 'diy' ? 'DIY' : o}`).join(' | ')} |`);
  out(`|---:|${VARIANTS.map(() => '---:').join('|')}|${others.map(() => '---:').join('|')}|`);
  for (const n of TOKEN_COUNTS) {
    const cells = VARIANTS.map((v) => (get(v, n).error ? 'fails: > 500 resources' : fmtSpread(get(v, n).ms!)));
    const ratio = (other: Variant) => (get('ours', n).ms && get(other, n).ms ? `${fmt(get('ours', n).ms!.median / get(other, n).ms!.median, 2)}x` : '-');
    out(`| ${n} | ${cells.join(' | ')} | ${others.map(ratio).join(' | ')} |`);
  }
  const s1 = get('ours', 1).ms!.median;
  const s100 = get('ours', 100).ms!.median;
  const synthRatio = s100 / s1;
  out();
  out(`Ours, 100 tokens against 1 token: ${fmt(synthRatio, 2)}x (goal: within 2x); with 2 repositories per token: ${fmt(get('ours-repositories', 100).ms!.median / get('ours-repositories', 1).ms!.median, 2)}x.`);
  out();

  out('### Template: resources and size');
  out();
  out(`| tokens | ${VARIANTS.map((v) => `${VARIANT_NAMES[v]}: resources / bytes`).join(' | ')} |`);
  out(`|---:|${VARIANTS.map(() => '---:').join('|')}|`);
  for (const n of TOKEN_COUNTS) {
    out(`| ${n} | ${VARIANTS.map((v) => (get(v, n).error ? 'over the 500-resource limit' : `${get(v, n).resources} / ${fmt(get(v, n).templateBytes)}`)).join(' | ')} |`);
  }
  out();
  /** Resources per added token, from 1 token to the most that synthesized. */
  const perToken = (v: Variant): { value: number; upTo: number } | undefined => {
    const ok = TOKEN_COUNTS.filter((n) => !get(v, n).error && n > 1);
    const n = ok[ok.length - 1];
    return n ? { value: (get(v, n).resources! - get(v, 1).resources!) / (n - 1), upTo: n } : undefined;
  };
  const verdict = (v: Variant) => {
    const goal = GOAL_PER_TOKEN[v];
    const p = perToken(v);
    if (goal === undefined || !p) return '';
    return p.value <= goal ? `; goal at most ${goal}: met` : `; goal at most ${goal}: NOT MET`;
  };
  out(`Resources per added token, from 1 token to the most that synthesize: ${VARIANTS.map((v) => {
    const p = perToken(v);
    return `${VARIANT_NAMES[v]} ${p ? `${fmt(p.value, 2)} (1 to ${p.upTo} tokens${verdict(v)})` : '-'}`;
  }).join('; ')}.`);
  out();
  const repos = (n: number) => get('ours-repositories', n);
  out('With 2 repositories per token (its domain\'s `shared` and one of its own, 10 domains) and every other token `READ_AND_PUBLISH`, the issuer role\'s ' +
    `customer-managed policies grow with the distinct repository and package ARNs: ${TOKEN_COUNTS.map((n) => `${repos(n).managedPolicies ?? '-'} at ${n}`).join(', ')} tokens ` +
    '(IAM allows 10 per role). The one-Lambda-per-token count leaves out the issuer role each of its tokens would also need to carry only its own rights.');
  out();

  const { bin, version } = cfnLint();
  const lintRows = results.filter((r) => r.tokens === 150 && r.templateFile);
  out(`cfn-lint ${version} on the 150-token templates: ${lintRows.map((r) => `${VARIANT_NAMES[r.variant]}: ${lint(bin, r.templateFile!)}`).join('; ')}.`);
  out();

  const api = readApiCalls();
  out('### API calls per lifecycle step (as the end-to-end run counted them, test/e2e/API_CALLS.md)');
  out();
  out(`API calls per deploy: ${describeCalls(api.deploy)}; per rotation: ${describeCalls(api.rotation)}.`);
  out();

  const burst = await burstReport(3);
  for (const line of burst.lines) out(line);

  const cold = await coldStartReport(ROOT, WORK, RUNS * 2);
  for (const line of cold.lines) out(line);
  const cost = costReport(api);
  for (const line of cost.lines) out(line);
  const shortCost = costReport(api, 900);
  for (const line of shortCost.lines) out(line);

  out('### Token freshness: the least validity left on a token read at any moment');
  out();
  out('A rotation lands at most its lateness after it is due: Secrets Manager starts it within its 1-hour window; ' +
    'EventBridge Scheduler invokes RotateSecret within the minute and the rotation takes seconds, counted as 5 minutes.');
  out();
  out('| tokenDuration | rotationInterval | started by | lateness | least validity left |');
  out('|---:|---:|---|---:|---:|');
  for (const row of freshnessRows()) {
    out(`| ${row.duration} | ${row.interval} | ${row.trigger} | ${row.lateness} | ${row.left} |`);
  }
  out();

  fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), lines.join('\n') + '\n');
  console.error(`\nwritten to ${path.relative(ROOT, path.join(__dirname, 'RESULTS.md'))}`);

  const ours = perToken('ours');
  const withRepositories = perToken('ours-repositories');
  const perLambda = perToken('per-token');
  const defaultLeftHours = worstCaseValiditySeconds(43200, deriveRotation(43200)) / 3600;
  const shortLeftMinutes = worstCaseValiditySeconds(900, deriveRotation(900)) / 60;
  const short = perToken('ours-short');
  const replicas = perToken('ours-replicas');
  const c = cold.summary;
  const summary = [
    `**Synthesis**: ${fmt(s1)} ms for 1 token, ${fmt(s100)} ms for 100 (${fmt(synthRatio, 2)}x)` +
      (get('per-token', 100).error ? '; one Lambda per token cannot reach 100 tokens (CloudFormation\'s 500-resource limit).' : '.'),
    `**Template**: ${fmt(ours?.value, 2)} resources per added token; ${fmt(withRepositories?.value, 2)} with 2 repositories per token, half of them publishing;` +
      ` ${fmt(short?.value, 2)} with 15-minute tokens rotated by EventBridge Scheduler; ${fmt(replicas?.value, 2)} with 2 replica regions` +
      ` (one Lambda per token: ${fmt(perLambda?.value, 2)}).`,
    `**Handler**: ${fmt(c.oursBytes)} bytes (${fmt(c.oursGzip)} gzipped), ${fmt(c.sizeRatio, 1)}x smaller than \`AwsCustomResource\`'s; cold start to answer on Node.js ${c.node}` +
      ` ${fmtSpread(c.ours)} against ${fmtSpread(c.theirs)}, with one more API call (AssumeRole).`,
    `**API calls**: ${describeCalls(api.deploy)} per deploy, ${api.rotation.total} per rotation.`,
    `**Bursts**: 150 tokens deployed at once in ${burst.rows.map((r) => `${r.seconds.median.toFixed(1)} s at ${r.perSecond}/s`).join(' and ')}` +
      ` (the quota's floor: ${burst.rows.map((r) => `${r.floorSeconds.toFixed(2)} s`).join(' and ')}), every token in place.`,
    `**Cost**: $${fmt(cost.summary.totalUsd, 2)} per token per month, ${Math.floor(cost.summary.secretShare * 100)}% of it the secret itself (STS calls are free).`,
    `**Freshness**: at least ${fmt(defaultLeftHours)} hours left on a token read at any moment, with the defaults;` +
      ` ${fmt(shortLeftMinutes)} minutes with 15-minute tokens ($${fmt(shortCost.summary.totalUsd, 2)} per token per month).`,
  ];
  publishInReadme(summary);
  console.error(`bench wall time: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** One markdown bullet, wrapped at 100 columns with continuation lines indented under it. */
function bullet(text: string, width = 100): string {
  const out: string[] = [];
  let line = '-';
  for (const word of text.split(' ')) {
    if (line.length + 1 + word.length > width && line.trim() !== '-') {
      out.push(line);
      line = ' ';
    }
    line += ` ${word}`;
  }
  out.push(line);
  return out.join('\n');
}

/** The README's Performance section holds a summary of the latest figures: replace what is between its markers. */
function publishInReadme(summary: string[]) {
  const readmeFile = path.join(ROOT, 'README.md');
  const readme = fs.readFileSync(readmeFile, 'utf8');
  const begin = readme.indexOf(README_BEGIN);
  const end = readme.indexOf(README_END);
  if (begin < 0 || end < begin) {
    console.error(`README.md has no "${README_BEGIN}" ... "${README_END}" markers: not updated`);
    return;
  }
  const head = readme.slice(0, readme.indexOf('\n', begin) + 1);
  fs.writeFileSync(readmeFile, head + summary.map((s) => bullet(s)).join('\n') + '\n' + readme.slice(end));
  console.error('README.md: Performance summary updated');
}

void main();
