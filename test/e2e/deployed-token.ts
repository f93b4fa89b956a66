/**
 * The scaffolding that specs of one deployed token share: one local AWS for the file, a token
 * deployed by a successful Create before each test, and after each test the check that no token text
 * reached a log line, an invocation error or a response.
 */
import { E2eEnv } from '../local-aws';

/** Registers the hooks; the returned object's `env` is the environment, once started. */
export function withDeployedToken(): { env: E2eEnv } {
  const holder = {} as { env: E2eEnv };
  beforeAll(async () => {
    holder.env = await E2eEnv.start();
  });
  afterAll(async () => {
    await holder.env?.stop();
  });
  beforeEach(async () => {
    // GIVEN a token deployed by a successful Create
    await holder.env.reset();
    await holder.env.createStackResources();
    const create = await holder.env.cfn('Create');
    expect(create.response?.Status).toBe('SUCCESS');
  });
  afterEach(() => {
    // THEN, whatever happened: no token text in any log line, invocation error or response
    expect(holder.env.leaks()).toEqual([]);
  });
  return holder;
}
