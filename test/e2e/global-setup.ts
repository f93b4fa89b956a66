/**
 * Once per e2e run: synthesize the example app (the handler asset the tests run is the one synth
 * puts into cdk.out) and make sure the kit's Python virtualenv (moto, twine) exists.
 */
import { ensurePythonVenv, synthExample } from '../local-aws';

export default function globalSetup(): void {
  synthExample();
  ensurePythonVenv((line) => console.log(`e2e: ${line}`));
}
