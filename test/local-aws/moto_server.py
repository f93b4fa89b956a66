"""moto's server for the e2e run, with two fixes where moto 5.2.1 differs from Secrets Manager.

Both are documented behaviour of the real service that the handler relies on:

1. UpdateSecretVersionStage moving AWSCURRENT does not update moto's notion of the current version
   (`default_version_id`), so a later PutSecretValue moves AWSCURRENT away from a stale version and
   two versions end up labelled AWSCURRENT. Secrets Manager attaches a label to one version only.
2. PutSecretValue with the ClientRequestToken of an existing AWSPENDING version overwrites that
   version's value. Secrets Manager never modifies a version: a different value for an existing
   ClientRequestToken fails with ResourceExistsException, the same value is a no-op.

Usage: python moto_server.py -H 127.0.0.1 -p PORT (the arguments of `moto_server`).
"""
from moto.secretsmanager import models
from moto.secretsmanager.exceptions import ResourceExistsException
from moto.server import main

_update_stage = models.SecretsManagerBackend.update_secret_version_stage
_put_value = models.SecretsManagerBackend.put_secret_value


def update_secret_version_stage(self, secret_id, version_stage, remove_from_version_id, move_to_version_id):
    result = _update_stage(self, secret_id, version_stage, remove_from_version_id, move_to_version_id)
    if version_stage == "AWSCURRENT" and move_to_version_id:
        self.secrets[secret_id].default_version_id = move_to_version_id
    return result


def put_secret_value(self, secret_id, secret_string, secret_binary, client_request_token, version_stages):
    if self._is_valid_identifier(secret_id) and client_request_token:
        existing = self.secrets[secret_id].versions.get(client_request_token)
        if existing is not None and (
            existing.get("secret_string") != secret_string or existing.get("secret_binary") != secret_binary
        ):
            raise ResourceExistsException(
                f"You can't use ClientRequestToken {client_request_token} because that value is already in use "
                f"for a version of secret {self.secrets[secret_id].arn}."
            )
    return _put_value(self, secret_id, secret_string, secret_binary, client_request_token, version_stages)


models.SecretsManagerBackend.update_secret_version_stage = update_secret_version_stage
models.SecretsManagerBackend.put_secret_value = put_secret_value

if __name__ == "__main__":
    main()
