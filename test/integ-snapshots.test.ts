import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { CodeArtifactAuthorizationToken } from '../lib';

// The committed integ snapshots must be reproducible: no paths of the machine that wrote them, and
// the handler asset of the current lib/ (integ-runner treats a change of asset hashes alone as
// "unchanged", so a stale hash would stay unnoticed; `npx projen integ:update` rewrites them all).
const INTEG = path.join(__dirname, '..', 'integ');
const snapshots = fs.readdirSync(INTEG).filter((d) => d.endsWith('.snapshot')).map((d) => path.join(INTEG, d));
const files = snapshots.flatMap((dir) => fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => path.join(dir, f)));

/** The handler's asset hash in a cloud assembly's `*.assets.json`, by the Code asset of its Lambda. */
function handlerAssetHashes(assetsJson: string): string[] {
  const manifest = JSON.parse(fs.readFileSync(assetsJson, 'utf8'));
  return Object.entries<any>(manifest.files ?? {})
    .filter(([, a]) => /CodeArtifactTokenHandler[0-9a-f]*\/Code$/.test(a.displayName ?? ''))
    .map(([hash]) => hash);
}

test('the integ snapshots exist', () => {
  expect(snapshots.length).toBeGreaterThanOrEqual(6);
  expect(files.filter((f) => f.endsWith('.metadata.json')).length).toBeGreaterThanOrEqual(6);
});

test('no snapshot carries a creation stack trace or an absolute path of the machine that wrote it', () => {
  // GIVEN the forms a machine path takes in a snapshot: a stack frame, the project's own path
  const root = path.resolve(__dirname, '..');
  const problems = files.flatMap((f) => {
    const text = fs.readFileSync(f, 'utf8');
    return [
      text.includes('aws:cdk:creationStack') ? 'aws:cdk:creationStack' : '',
      /\((\/[^()"]+):\d+:\d+\)/.exec(text)?.[0] ?? '',
      text.includes(root) ? root : '',
      /"\/(home|Users|tmp|work|root)\//.exec(text)?.[0] ?? '',
    ].filter(Boolean).map((p) => `${path.relative(INTEG, f)}: ${p}`);
  });
  // THEN
  expect(problems).toEqual([]);
});

test('every snapshot holds the handler asset of the current lib/', () => {
  // GIVEN the handler asset hash a synth of the current lib/ gives
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'integ-hash-'));
  try {
    const app = new App({ outdir });
    const stack = new Stack(app, 'Current');
    new CodeArtifactAuthorizationToken(stack, 'Token', { domain: 'my-domain' });
    app.synth();
    const [current] = handlerAssetHashes(path.join(outdir, 'Current.assets.json'));
    expect(current).toMatch(/^[0-9a-f]{64}$/);
    // WHEN each snapshot's stacks are read
    const stale = files.filter((f) => f.endsWith('.assets.json'))
      .flatMap((f) => handlerAssetHashes(f).filter((h) => h !== current).map((h) => `${path.relative(INTEG, f)}: ${h}`));
    const withHandler = files.filter((f) => f.endsWith('.assets.json') && handlerAssetHashes(f).length > 0);
    // THEN
    expect(withHandler.length).toBeGreaterThanOrEqual(snapshots.length);
    expect(stale).toEqual([]);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});
