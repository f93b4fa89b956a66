/**
 * One synthesis, in its own node process, as `cdk synth` runs an app: BENCH_VARIANT and
 * BENCH_TOKENS choose what to build, CDK_OUTDIR where to write it.
 */
import { App, Stack } from 'aws-cdk-lib';
import { addTokens, Variant } from './alternatives';

const app = new App();
const stack = new Stack(app, 'Bench', { env: { account: '111122223333', region: 'eu-west-1' } });
addTokens(stack, process.env.BENCH_VARIANT as Variant, Number(process.env.BENCH_TOKENS));
app.synth();
