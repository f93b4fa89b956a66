/**
 * The default token: a domain with a repository, a secret holding a token that reads that
 * repository, the rotation, the handler and the issuer role.
 * Deploy with `npx integ-runner --directory integ --update-on-failed` in an account of your own.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import * as codeartifact from 'aws-cdk-lib/aws-codeartifact';
import { CodeArtifactAuthorizationToken } from '../lib';
import { TokenChecker } from './token-checker';

const app = new App();
const stack = new Stack(app, 'CodeArtifactTokenDefault');

// A domain of its own, so the test needs nothing in the account beforehand.
const domain = new codeartifact.CfnDomain(stack, 'Domain', { domainName: 'cdk-codeartifact-token-integ' });
const repository = new codeartifact.CfnRepository(stack, 'Repository', { domainName: domain.attrName, repositoryName: 'shared' });
const token = new CodeArtifactAuthorizationToken(stack, 'Token', { domain: domain.attrName, repositories: [repository.attrName] });
// Operations: an EventBridge rule for failed rotations, and an alarm when no fresh token arrives.
token.onRotationFailed('RotationFailed');
token.alarmOnStaleToken('StaleToken');

const checker = new TokenChecker(stack, 'Checker', token);
const integ = new IntegTest(app, 'DefaultToken', { testCases: [stack] });
integ.assertions
  .invokeFunction({ functionName: checker.functionName })
  .expect(ExpectedResult.objectLike({ Payload: '"OK"' }));
