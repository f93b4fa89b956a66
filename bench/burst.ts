/**
 * A stack of 150 tokens deploys: 150 Create events reach the shipped handler at once, against the
 * local CodeArtifact's token bucket (GetAuthorizationToken: 40 per second by default, CodeArtifact
 * quotas) and at 10 per second. The wall time is set against the quota's floor, 150 / rate seconds.
 * Interleaved (40, 10, 40, 10, ...), each figure a median with its spread.
 */
import { Spread, spread } from './stats';
import { E2eEnv, ensurePythonVenv, synthExample } from '../test/local-aws';

const TOKENS = 150;
const RATES = [40, 10];

export interface BurstRow {
  readonly perSecond: number;
  readonly floorSeconds: number;
  readonly seconds: Spread;
  readonly throttled: Spread;
}

/** Runs `runs` bursts at each rate, interleaved; needs the example app synthesized into cdk.out. */
export async function burstReport(runs: number): Promise<{ lines: string[]; rows: BurstRow[] }> {
  ensurePythonVenv();
  synthExample();
  const env = await E2eEnv.start();
  const seconds = new Map<number, number[]>(RATES.map((r) => [r, []]));
  const throttled = new Map<number, number[]>(RATES.map((r) => [r, []]));
  try {
    for (let i = 0; i < runs; i++) {
      for (const rate of RATES) {
        await env.reset();
        await env.createStackResources();
        const arns = await Promise.all(Array.from({ length: TOKENS }, (_, n) => env.createTokenSecret({ name: `burst-${n}` })));
        env.codeArtifact.setRate(rate);
        const mark = env.mark();
        const started = Date.now();
        const results = await Promise.all(arns.map((arn) => env.cfn('Create', { props: env.properties({ SecretId: arn }) })));
        const wall = (Date.now() - started) / 1000;
        const failed = results.filter((r) => r.response?.Status !== 'SUCCESS');
        if (failed.length > 0) throw new Error(`${failed.length} of ${TOKENS} Creates failed at ${rate}/s: ${failed[0].response?.Reason ?? failed[0].invoke.error}`);
        seconds.get(rate)!.push(wall);
        throttled.get(rate)!.push(env.codeArtifact.calls.slice(mark.codeArtifact).filter((c) => c.outcome === 'ThrottlingException').length);
        console.error(`burst ${i + 1}/${runs} at ${rate}/s: ${wall.toFixed(2)} s`);
      }
    }
  } finally {
    await env.stop();
  }
  const rows = RATES.map((perSecond) => ({
    perSecond,
    floorSeconds: TOKENS / perSecond,
    seconds: spread(seconds.get(perSecond)!),
    throttled: spread(throttled.get(perSecond)!),
  }));
  const f = (s: Spread, d: number) => `${s.median.toFixed(d)} (${s.min.toFixed(d)}-${s.max.toFixed(d)})`;
  return {
    rows,
    lines: [
      `### Deploy burst: ${TOKENS} Create events at once against GetAuthorizationToken's quota (median of ${runs}, interleaved)`,
      '',
      '| quota | quota floor | wall time, s | over the floor | throttled requests retried |',
      '|---:|---:|---:|---:|---:|',
      ...rows.map((r) => `| ${r.perSecond}/s | ${r.floorSeconds.toFixed(2)} s | ${f(r.seconds, 2)} | ${(r.seconds.median / r.floorSeconds).toFixed(2)}x | ${f(r.throttled, 0)} |`),
      '',
      'Every token landed in its secret each time; the handler\'s SDK clients retry in adaptive mode (up to 8 attempts, within its deadline).',
      '',
    ],
  };
}
