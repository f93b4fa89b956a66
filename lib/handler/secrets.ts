import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

let client: SecretsManagerClient | undefined;

/** The Secrets Manager client of the handler's own region, where the token secrets live. */
export function secretsManager(): SecretsManagerClient {
  client ??= new SecretsManagerClient({ maxAttempts: 4, requestHandler: { connectionTimeout: 5000, requestTimeout: 15000 } });
  return client;
}
