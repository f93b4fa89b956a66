/**
 * A token whose secret is encrypted with a customer-managed KMS key: the handler writes it and the
 * checker reads it through Secrets Manager (kms:ViaService), and the secret names the key.
 * Deploy with `TS_NODE_PREFER_TS_EXTS=true npx integ-runner --directory integ --language typescript --force integ.kms.ts`.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as codeartifact from 'aws-cdk-lib/aws-codeartifact';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CodeArtifactAuthorizationToken } from '../lib';
import { TokenChecker } from './token-checker';

const app = new App();
const stack = new Stack(app, 'CodeArtifactTokenKms');

const domain = new codeartifact.CfnDomain(stack, 'Domain', { domainName: 'cdk-codeartifact-token-integ-kms' });
const key = new kms.Key(stack, 'Key', {
  description: 'Encrypts the CodeArtifact token secret of the cdk-codeartifact-token KMS integ test',
  enableKeyRotation: true,
  // A test key: scheduled for deletion with the stack (KMS waits at least 7 days).
  removalPolicy: RemovalPolicy.DESTROY,
});
const token = new CodeArtifactAuthorizationToken(stack, 'Token', { domain: domain.attrName, encryptionKey: key });

const checker = new TokenChecker(stack, 'Checker', token);
const integ = new IntegTest(app, 'KmsToken', { testCases: [stack] });
// Decrypting through the key worked: the checker read a fresh token from the secret.
integ.assertions
  .invokeFunction({ functionName: checker.functionName })
  .expect(ExpectedResult.objectLike({ Payload: '"OK"' }));
// And the secret really is encrypted with that key, not the account's aws/secretsmanager key.
// DescribeSecret returns no secret value, so its logged response holds no token.
integ.assertions
  .awsApiCall('SecretsManager', 'describeSecret', { SecretId: token.secret.secretArn })
  .expect(ExpectedResult.objectLike({ KmsKeyId: key.keyArn }));
