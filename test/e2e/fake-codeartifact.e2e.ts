/**
 * The local CodeArtifact endpoint speaks the service's wire format: the real AWS SDK client parses
 * its answers and errors, and it refuses what the service refuses.
 */
import * as http from 'http';
import { CodeartifactClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-codeartifact';
import { FakeCodeArtifact } from '../local-aws';

let fake: FakeCodeArtifact;
let client: CodeartifactClient;

beforeAll(async () => {
  fake = await FakeCodeArtifact.start();
  fake.domains.add('111122223333/my-domain');
  client = new CodeartifactClient({
    region: 'eu-west-1',
    endpoint: fake.url,
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIAE2ETESTING000000', secretAccessKey: 'e2e' },
  });
});

afterAll(async () => {
  client.destroy();
  await fake.stop();
});

const get = (domain: string, domainOwner: string, durationSeconds?: number) =>
  client.send(new GetAuthorizationTokenCommand({ domain, domainOwner, durationSeconds }));

async function errorOf(p: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await p;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

test('a token with an epoch-seconds expiration, which the SDK reads as a Date', async () => {
  const out = await get('my-domain', '111122223333', 900);
  expect(out.authorizationToken).toBe(fake.lastToken);
  expect(out.expiration).toBeInstanceOf(Date);
  expect(out.expiration!.getTime() - Date.now()).toBeGreaterThan(890_000);
  expect(out.expiration!.getTime() - Date.now()).toBeLessThanOrEqual(900_200);
  expect(fake.calls[fake.calls.length - 1]).toMatchObject({
    domain: 'my-domain', domainOwner: '111122223333', durationSeconds: 900, signedFor: 'eu-west-1/codeartifact', status: 200,
  });
});

test.each([
  ['a domain with capitals', 'My-Domain', '111122223333', 900, /'My-Domain' at 'domain'/],
  ['a one-letter domain', 'a', '111122223333', 900, /'a' at 'domain'/],
  ['an owner that is not 12 digits', 'my-domain', '1111-2222-3333', 900, /'1111-2222-3333' at 'domainOwner'/],
  ['a duration under 900 s', 'my-domain', '111122223333', 600, /'600' at 'durationSeconds'/],
  ['a duration over 12 hours', 'my-domain', '111122223333', 43201, /'43201' at 'durationSeconds'/],
])('ValidationException for %s', async (_, domain, owner, duration, message) => {
  const e = await errorOf(get(domain, owner, duration));
  expect(e).toMatchObject({ name: 'ValidationException', status: 400 });
  expect(e.message).toMatch(message);
});

test('duration 0 is valid', async () => {
  await expect(get('my-domain', '111122223333', 0)).resolves.toHaveProperty('authorizationToken');
});

test('ResourceNotFoundException for a domain that does not exist', async () => {
  const e = await errorOf(get('other-domain', '111122223333'));
  expect(e).toMatchObject({ name: 'ResourceNotFoundException', status: 404, message: expect.stringMatching(/other-domain/) });
});

test.each([
  ['ThrottlingException', 429],
  ['AccessDeniedException', 403],
  ['InternalServerException', 500],
] as const)('an injected %s arrives as that error', async (fault, status) => {
  fake.failNext(fault);
  expect(await errorOf(get('my-domain', '111122223333'))).toMatchObject({ name: fault, status });
  // and the next call succeeds
  await expect(get('my-domain', '111122223333')).resolves.toHaveProperty('authorizationToken');
});

test('an unsigned request is refused', async () => {
  const status = await new Promise<number>((resolve, reject) => {
    const req = http.request(`${fake.url}/v1/authorization-token?domain=my-domain&domain-owner=111122223333`, { method: 'POST' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
  expect(status).toBe(403);
});
