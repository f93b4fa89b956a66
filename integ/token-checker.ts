import { Duration, PhysicalName, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { CodeArtifactAuthorizationToken } from '../lib';

/** A token to check, and what its secret's JSON value must hold besides a fresh token. */
export interface CheckedToken {
  readonly token: CodeArtifactAuthorizationToken;
  /**
   * Fields of the secret's value and the values they must have (compared as strings), e.g.
   * `{ domainOwner: '111122223333', durationSeconds: 21600 }`.
   *
   * @default - only the token and its expiration are checked
   */
  readonly expect?: { [field: string]: string | number };
}

/**
 * A Lambda that reads the secrets of one or more tokens and answers "OK" when each holds a token
 * with more than an hour left (and the expected fields), or says what is wrong. It never returns or
 * logs a token: an awsApiCall to GetSecretValue would log the whole response, token included.
 */
export class TokenChecker extends lambda.Function {
  constructor(scope: Construct, id: string, tokens: CodeArtifactAuthorizationToken | CheckedToken[]) {
    const checked = tokens instanceof CodeArtifactAuthorizationToken ? [{ token: tokens }] : tokens;
    super(scope, id, {
      // Named only when the assertion stack is in another environment (integ.cross-account).
      functionName: PhysicalName.GENERATE_IF_NEEDED,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      timeout: Duration.seconds(30),
      environment: {
        CHECKS: Stack.of(scope).toJsonString(checked.map((c) => ({ secretId: c.token.secret.secretArn, expect: c.expect ?? {} }))),
      },
      code: lambda.Code.fromInline(`
const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
const sm = new SecretsManagerClient({});
async function check({ secretId, expect }) {
  const out = await sm.send(new GetSecretValueCommand({ SecretId: secretId }));
  let v;
  try { v = JSON.parse(out.SecretString); } catch { return 'the secret is not JSON'; }
  if (typeof v.authorizationToken !== 'string' || v.authorizationToken.length === 0) return 'no authorizationToken';
  for (const [field, want] of Object.entries(expect)) {
    if (String(v[field]) !== String(want)) return field + ' is ' + JSON.stringify(v[field]) + ', expected ' + JSON.stringify(want);
  }
  const hoursLeft = (Date.parse(v.expiration) - Date.now()) / 3600000;
  return hoursLeft > 1 ? 'OK' : 'the token expires in ' + hoursLeft.toFixed(2) + ' hours';
}
exports.handler = async () => {
  const checks = JSON.parse(process.env.CHECKS);
  const results = await Promise.all(checks.map((c) => check(c).catch((e) => e.name + ': ' + e.message)));
  const failed = results.map((r, i) => r === 'OK' ? undefined : checks[i].secretId + ': ' + r).filter(Boolean);
  return failed.length === 0 ? 'OK' : failed.join('; ');
};`),
    });
    for (const c of checked) {
      c.token.grantRead(this);
    }
  }
}
