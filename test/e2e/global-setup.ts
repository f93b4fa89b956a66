/**
 * Once per e2e run: synthesize the example apps (the handler asset the tests run is the one synth
 * puts into their cloud assemblies) and make sure the kit's Python virtualenvs (moto, twine, uv, Poetry; MiniStack) and its pnpm and Yarn exist.
 */
import { ensureJsClients, ensureMiniStackVenv, ensurePythonVenv, REPOSITORIES_APP, REPOSITORIES_OUT, REPOSITORIES_STACK, SHORT_APP, SHORT_OUT, SHORT_STACK, synthApp, synthExample } from '../local-aws';

export default function globalSetup(): void {
  synthExample();
  synthApp(REPOSITORIES_APP, REPOSITORIES_OUT, REPOSITORIES_STACK);
  synthApp(SHORT_APP, SHORT_OUT, SHORT_STACK);
  ensurePythonVenv((line) => console.log(`e2e: ${line}`));
  ensureMiniStackVenv((line) => console.log(`e2e: ${line}`));
  ensureJsClients((line) => console.log(`e2e: ${line}`));
}
