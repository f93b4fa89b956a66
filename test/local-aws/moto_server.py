"""moto's server for the e2e run, with three fixes where moto 5.2.1 differs from Secrets Manager.

Both are documented behaviour of the real service that the handler relies on:

1. UpdateSecretVersionStage moving AWSCURRENT does not update moto's notion of the current version
   (`default_version_id`), so a later PutSecretValue moves AWSCURRENT away from a stale version and
   two versions end up labelled AWSCURRENT. Secrets Manager attaches a label to one version only.
2. PutSecretValue with the ClientRequestToken of an existing AWSPENDING version overwrites that
   version's value. Secrets Manager never modifies a version: a different value for an existing
   ClientRequestToken fails with ResourceExistsException, the same value is a no-op. (A version that
   RotateSecret labelled AWSPENDING without a value takes its first value, as AWS's sample rotation
   functions write it in createSecret.)

3. RotateSecret invokes the rotation function through moto's own Lambda, which does not run ours;
   it also marks the new version current even when a step failed. Here, when E2E_ROTATION_INVOKE_URL
   is set, RotateSecret does what Secrets Manager does: it checks the request (a rotation in progress,
   rate() rules under 4 hours), sets the rotation configuration it carries ("If you include the
   configuration parameters, the operation sets the values for the secret and then immediately
   starts a rotation", RotateSecret API reference), labels a new version AWSPENDING, answers at once
   (rotation is asynchronous), and invokes the four steps with the secret's ARN and the new version
   id, in order, stopping at the first failure. The kit's URL runs each step in the handler process.

Usage: python moto_server.py -H 127.0.0.1 -p PORT (the arguments of `moto_server`).
"""
import json
import os
import re
import threading
import time
import urllib.request
import uuid

from moto.secretsmanager import models
from moto.secretsmanager.exceptions import InvalidParameterException, InvalidRequestException, ResourceExistsException
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
        has_value = existing is not None and (existing.get("secret_string") is not None or existing.get("secret_binary") is not None)
        # A version RotateSecret labelled AWSPENDING has no value yet: createSecret's write gives it one.
        if has_value and (
            existing.get("secret_string") != secret_string or existing.get("secret_binary") != secret_binary
        ):
            raise ResourceExistsException(
                f"You can't use ClientRequestToken {client_request_token} because that value is already in use "
                f"for a version of secret {self.secrets[secret_id].arn}."
            )
    return _put_value(self, secret_id, secret_string, secret_binary, client_request_token, version_stages)


_rotate = models.SecretsManagerBackend.rotate_secret
ROTATION_INVOKE_URL = os.environ.get("E2E_ROTATION_INVOKE_URL")


def _invoke_steps(url, event_base):
    for step in ("createSecret", "setSecret", "testSecret", "finishSecret"):
        body = json.dumps({**event_base, "Step": step}).encode()
        req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(req, timeout=300) as res:
            if not json.loads(res.read()).get("ok"):
                return  # Secrets Manager stops the rotation at the failed step


def rotate_secret(self, secret_id, client_request_token=None, rotation_lambda_arn=None, rotation_rules=None, rotate_immediately=True):
    if not ROTATION_INVOKE_URL:
        return _rotate(self, secret_id, client_request_token, rotation_lambda_arn, rotation_rules, rotate_immediately)
    if not self._is_valid_identifier(secret_id):
        return _rotate(self, secret_id, client_request_token, rotation_lambda_arn, rotation_rules, rotate_immediately)
    secret = self.secrets[secret_id]
    expression = (rotation_rules or {}).get("ScheduleExpression")
    if expression:
        m = re.fullmatch(r"rate\((\d+) (hour|hours|day|days)\)", expression)
        if not m or (m.group(2).startswith("hour") and int(m.group(1)) < 4):
            raise InvalidParameterException(f"RotationRules.ScheduleExpression {expression!r}: the shortest rate() is 4 hours")
    # AWSPENDING on a version other than AWSCURRENT: "any later invocation of RotateSecret assumes
    # that a previous rotation request is still in progress and returns an error" (RotateSecret API reference).
    for version in secret.versions.values():
        stages = version["version_stages"]
        if "AWSPENDING" in stages and "AWSCURRENT" not in stages:
            raise InvalidRequestException("A previous rotation isn't complete. That rotation will be reattempted.")
    if rotation_lambda_arn:
        secret.rotation_lambda_arn = rotation_lambda_arn
    if rotation_rules:
        secret.rotation_rules = rotation_rules
    if not secret.rotation_lambda_arn:
        raise InvalidRequestException("No Lambda rotation function ARN is associated with this secret.")
    secret.rotation_enabled = True
    secret.rotation_requested = True
    version_id = client_request_token or str(uuid.uuid4())
    secret.remove_version_stages_from_old_versions(["AWSPENDING"])
    secret.versions[version_id] = {"createdate": int(time.time()), "version_id": version_id, "version_stages": ["AWSPENDING"]}
    secret.last_rotation_date = int(time.time())
    event = {"SecretId": secret.arn, "ClientRequestToken": version_id}
    threading.Thread(target=_invoke_steps, args=(ROTATION_INVOKE_URL, event), daemon=True).start()
    return json.dumps({"ARN": secret.arn, "Name": secret.name, "VersionId": version_id})


_to_dict = models.FakeSecret.to_dict


def to_dict(self):
    """DescribeSecret with the RotationRules RotateSecret set (moto keeps only AutomaticallyAfterDays)."""
    dct = _to_dict(self)
    if getattr(self, "rotation_rules", None) and "RotationRules" in dct:
        dct["RotationRules"] = self.rotation_rules
    return dct


models.FakeSecret.to_dict = to_dict
models.SecretsManagerBackend.update_secret_version_stage = update_secret_version_stage
models.SecretsManagerBackend.rotate_secret = rotate_secret
models.SecretsManagerBackend.put_secret_value = put_secret_value

if __name__ == "__main__":
    main()
