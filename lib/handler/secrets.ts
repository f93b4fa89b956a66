import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

type Sdk = typeof import('@aws-sdk/client-secrets-manager');

let loaded: { readonly client: SecretsManagerClient; readonly sdk: Sdk } | undefined;

/**
 * The Secrets Manager client of the handler's own region, where the token secrets live. Loaded on
 * first use, so that a cold start that does not need it (a Delete) does not pay for loading it.
 */
export function secretsManager(): { readonly client: SecretsManagerClient; readonly sdk: Sdk } {
  if (!loaded) {
    // require(), not import(): the bundle is CommonJS, and so are the tests that load this module.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sdk: Sdk = require('@aws-sdk/client-secrets-manager');
    loaded = {
      sdk,
      client: new sdk.SecretsManagerClient({ maxAttempts: 4, requestHandler: { connectionTimeout: 5000, requestTimeout: 15000 } }),
    };
  }
  return loaded;
}
