import { HandlerError } from './errors';

/**
 * CloudFormation answers go to the pre-signed Amazon S3 URL it puts in the event's `ResponseURL`
 * (CloudFormation user guide, "Custom resources"), in its bucket
 * `cloudformation-custom-resource-response-<region without dashes>` (CloudFormation user guide, "VPC
 * endpoints": custom resources in a VPC need that bucket). Anything else, a plain http URL, another
 * host or another region's bucket, is refused without a request: a hand-made event must not turn the
 * handler into a way to reach arbitrary hosts (inside the VPC, with `vpc`).
 *
 * Seen in real events: `...-useast1.s3.amazonaws.com`, `...-euwest1.s3-eu-west-1.amazonaws.com`,
 * `...-useast1.s3.us-east-1.amazonaws.com`, `...-cnnorth1.s3.cn-north-1.amazonaws.com.cn`.
 */
const RESPONSE_HOST = /^cloudformation-custom-resource-response-([a-z0-9]+)\.s3(?:[.-]([a-z]{2}(?:-gov)?-[a-z]+-\d+))?\.amazonaws\.com(\.cn)?$/;

/**
 * The test-only seam: the local AWS of this repository's e2e tests answers on a loopback http origin.
 * It is honoured only where no Lambda runtime API exists (`AWS_LAMBDA_RUNTIME_API` is set in every
 * Lambda execution environment, so a deployed function can never take this path), and only for a
 * loopback origin named in the variable below.
 */
export const TEST_RESPONSE_ORIGIN_ENV = 'CDK_CODEARTIFACT_TOKEN_TEST_RESPONSE_ORIGIN';

/**
 * The URL to answer CloudFormation at, or a HandlerError saying why it is refused (never quoting its
 * query, which holds the signature). `stackId` gives the region the bucket must be in.
 */
export function checkResponseUrl(raw: unknown, stackId: string): URL {
  let url: URL;
  try {
    url = new URL(String(raw));
  } catch {
    throw new HandlerError('the event\'s ResponseURL is not a URL; no response was sent');
  }
  const where = `${url.protocol}//${url.host}`;
  const testOrigin = process.env[TEST_RESPONSE_ORIGIN_ENV];
  if (testOrigin && !process.env.AWS_LAMBDA_RUNTIME_API && /^http:\/\/127\.0\.0\.1:\d+$/.test(testOrigin) && url.origin === testOrigin) {
    return url;
  }
  const region = /^arn:[^:]+:cloudformation:([^:]+):/.exec(stackId)?.[1] ?? '';
  const host = RESPONSE_HOST.exec(url.hostname);
  const ok = url.protocol === 'https:' && url.port === '' && url.username === '' && url.password === '' && host !== null
    && host[1] === region.replace(/-/g, '') && (host[2] === undefined || host[2] === region) && (host[3] !== undefined) === region.startsWith('cn-');
  if (!ok) {
    throw new HandlerError(`the event's ResponseURL (${where}) is not an https URL on CloudFormation's response bucket in ${region || 'the stack\'s region'}, as its pre-signed URLs are; no response was sent`);
  }
  return url;
}
