import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { CodeArtifactAuthorizationToken } from '../lib';

/**
 * A Lambda that reads a token's secret and answers "OK" when it holds a token with more than an
 * hour left, or says what is wrong. It never returns or logs the token: an awsApiCall to
 * GetSecretValue would log the whole response, token included.
 */
export class TokenChecker extends lambda.Function {
  constructor(scope: Construct, id: string, token: CodeArtifactAuthorizationToken) {
    super(scope, id, {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      timeout: Duration.seconds(30),
      environment: { SECRET_ID: token.secret.secretArn },
      code: lambda.Code.fromInline(`
const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
exports.handler = async () => {
  const out = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: process.env.SECRET_ID }));
  let v;
  try { v = JSON.parse(out.SecretString); } catch { return 'the secret is not JSON'; }
  if (typeof v.authorizationToken !== 'string' || v.authorizationToken.length === 0) return 'no authorizationToken';
  const hoursLeft = (Date.parse(v.expiration) - Date.now()) / 3600000;
  return hoursLeft > 1 ? 'OK' : 'the token expires in ' + hoursLeft.toFixed(2) + ' hours';
};`),
    });
    token.grantRead(this);
  }
}
