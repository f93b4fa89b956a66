/**
 * Run by test/compat/run.sh beside the construct tests: proves that they loaded the aws-cdk-lib under
 * test rather than the development one, through the same module mapping they all use.
 */
import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CodeArtifactAuthorizationToken } from '../../lib';

test('the construct and its tests use the aws-cdk-lib under test', () => {
  // GIVEN the version run.sh installed
  const expected = process.env.COMPAT_EXPECT_CDK_VERSION;
  expect(expected).toMatch(/^2\.\d+\.\d+$/);
  // WHEN a token is created
  const stack = new Stack();
  const token = new CodeArtifactAuthorizationToken(stack, 'Token', { domain: 'my-domain' });
  // THEN its classes and the construct's own are that release's (jsii records each class's version)
  const version = (x: object) => (x.constructor as any)[Symbol.for('jsii.rtti')]?.version;
  expect(version(stack)).toBe(expected);
  expect(version(token.secret)).toBe(expected);
  expect(version(stack.node.findAll().find((c) => c instanceof lambda.Function)!)).toBe(expected);
});
