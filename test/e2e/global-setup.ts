/**
 * Once per e2e run: synthesize the example apps (the handler asset the tests run is the one synth
 * puts into their cloud assemblies) and make sure the kit's Python virtualenvs (moto, twine, uv, Poetry; MiniStack), its
 * pnpm and Yarn, and the Node.js of the handler's runtime exist.
 */
import {
  CDK_OUT, ensureJsClients, ensureMiniStackVenv, ensurePythonVenv, findHandler, handlerNode, nodeVersion, REPOSITORIES_APP, REPOSITORIES_OUT,
  REPOSITORIES_STACK, SHORT_APP, SHORT_OUT, SHORT_STACK, synthApp, synthExample,
} from '../local-aws';

export default function globalSetup(): void {
  const template = synthExample();
  synthApp(REPOSITORIES_APP, REPOSITORIES_OUT, REPOSITORIES_STACK);
  synthApp(SHORT_APP, SHORT_OUT, SHORT_STACK);
  ensurePythonVenv((line) => console.log(`e2e: ${line}`));
  ensureMiniStackVenv((line) => console.log(`e2e: ${line}`));
  ensureJsClients((line) => console.log(`e2e: ${line}`));
  const { runtime } = findHandler(template, CDK_OUT);
  const node = handlerNode(runtime);
  console.log(`e2e: the handler runs on Node.js ${nodeVersion(node)} (${node}), for its runtime ${runtime}`);
}
