"""
MiniStack (the pinned version in ministack-requirements.txt) with the providers its CloudFormation
engine lacks for the example app, registered in its own resource-handler table before it starts, so
that the template deploys as synthesized. Each addition is a gap recorded, with a reproduction, in
README.md beside this file ("MiniStack: gaps and what the kit does about them").

  AWS::CodeArtifact::Domain, AWS::CodeArtifact::Repository   MiniStack has no CodeArtifact: the
      provider records the name (Ref and Fn::GetAtt Arn/Name as the CloudFormation reference
      documents them); the tokens themselves come from the kit's fake CodeArtifact.
  AWS::SecretsManager::RotationSchedule   "Unsupported resource type": the provider stores the
      rotation configuration on MiniStack's secret (RotationEnabled, RotationLambdaARN,
      RotationRules), as RotateSecret would, without rotating (MiniStack's RotateSecret promotes a
      copy of the current value without invoking the function; the e2e runs the four steps itself).
  Ref of AWS::SecretsManager::Secret   MiniStack returns the name; CloudFormation returns the ARN
      (AWS::SecretsManager::Secret reference, "Return values": "Ref returns the ARN of the secret").
  aws:PrincipalArn of a role session   MiniStack gives the session's ARN (assumed-role/ROLE/SESSION);
      AWS gives the role's ARN ("AWS global condition context keys", aws:PrincipalArn: "IAM role: the
      request context returns the ARN of the role, not the ARN of the user that assumed the role").
  lambda:SourceFunctionArn   MiniStack never sets it; AWS adds it to every request signed with a
      function's execution-role credentials (Lambda Developer Guide, "Working with Lambda execution
      environment credentials", "Source function ARN").

Run as `python ministack_server.py`; the environment configures MiniStack (GATEWAY_PORT, BIND_HOST,
MINISTACK_HOST, AUTH ...). The only output added to MiniStack's is one line per provider call.
"""
import os
import re
import sys

from ministack import app
from ministack.core.responses import get_account_id, get_region
from ministack.services import secretsmanager as sm
from ministack.services.cloudformation import provisioners as p

_codeartifact = {}  # physical id (ARN) -> {"type", "name"}


def _codeartifact_provider(kind, name_prop, arn_of):
    def create(logical_id, props, stack_name):
        name = props.get(name_prop) or p._physical_name(stack_name, logical_id)
        arn = arn_of(props, name)
        _codeartifact[arn] = {"type": kind, "name": name}
        print(f"kit-providers: created AWS::CodeArtifact::{kind} {arn}", flush=True)
        return arn, {"Arn": arn, "Name": name}

    def update(physical_id, old_props, new_props, stack_name):
        return physical_id, {"Arn": physical_id, "Name": _codeartifact[physical_id]["name"]}

    def delete(physical_id, props):
        _codeartifact.pop(physical_id, None)
        print(f"kit-providers: deleted AWS::CodeArtifact::{kind} {physical_id}", flush=True)

    return {"create": create, "update": update, "delete": delete}


def _domain_arn(props, name):
    return f"arn:aws:codeartifact:{get_region()}:{get_account_id()}:domain/{name}"


def _repository_arn(props, name):
    owner = props.get("DomainOwner") or get_account_id()
    return f"arn:aws:codeartifact:{get_region()}:{owner}:repository/{props['DomainName']}/{name}"


def _rotation_create(logical_id, props, stack_name):
    _, secret = sm._resolve(props["SecretId"])
    if secret is None:
        raise ValueError(f"AWS::SecretsManager::RotationSchedule: no secret {props['SecretId']}")
    secret["RotationEnabled"] = True
    secret["RotationLambdaARN"] = props.get("RotationLambdaARN")
    secret["RotationRules"] = props.get("RotationRules")
    print(f"kit-providers: rotation of {secret['ARN']} by {secret['RotationLambdaARN']}", flush=True)
    # CloudFormation's physical id of a rotation schedule is the secret's ARN.
    return secret["ARN"], {}


def _rotation_update(physical_id, old_props, new_props, stack_name):
    return _rotation_create(None, new_props, stack_name)


def _rotation_delete(physical_id, props):
    _, secret = sm._resolve(physical_id)
    if secret is not None:
        secret["RotationEnabled"] = False
        secret["RotationLambdaARN"] = None
        secret["RotationRules"] = None


def _secret_by_arn(original):
    """MiniStack's secret handlers, with the ARN as the physical id (what Ref returns)."""
    def name_of(physical_id):
        _, secret = sm._resolve(physical_id)
        return secret["Name"] if secret else physical_id

    def arn_of(name):
        secret = sm._secrets.get(name)
        return secret["ARN"] if secret else name

    def create(logical_id, props, stack_name):
        name, attrs = original["create"](logical_id, props, stack_name)
        return arn_of(name), attrs

    def update(physical_id, old_props, new_props, stack_name, logical_id=None):
        name, attrs = original["update"](name_of(physical_id), old_props, new_props, stack_name, logical_id)
        return arn_of(name), attrs

    def delete(physical_id, props):
        original["delete"](name_of(physical_id), props)

    return {**original, "create": create, "update": update, "delete": delete}


_function_of_key = {}  # execution-role access key id -> the function's ARN


def _patch_condition_keys():
    """aws:PrincipalArn and lambda:SourceFunctionArn as AWS sets them (see the module's doc)."""
    from ministack.core import iam_evaluator as ie
    from ministack.core import lambda_runtime
    from ministack.services import iam as iam_svc
    from ministack.services import lambda_svc
    from ministack.services import sts as sts_svc

    original_credentials = lambda_runtime.execution_credentials

    def execution_credentials(config):
        creds = original_credentials(config)
        if config.get("FunctionArn"):
            _function_of_key[creds["AWS_ACCESS_KEY_ID"]] = config["FunctionArn"]
        return creds

    lambda_runtime.execution_credentials = execution_credentials
    lambda_svc.execution_credentials = execution_credentials

    original_keys = ie._principal_keys

    def principal_keys(credential):
        keys = original_keys(credential)
        function_arn = _function_of_key.get(credential.access_key_id)
        if function_arn:
            keys["lambda:sourcefunctionarn"] = function_arn
        return keys

    ie._principal_keys = principal_keys
    sts_svc._principal_keys = principal_keys

    original_resolve = ie._resolve_condition_key

    def resolve_condition_key(key, ctx):
        session = re.fullmatch(r"arn:aws:sts::(\d{12}):assumed-role/([^/]+)/.+", ctx.principal_arn or "")
        if key.lower() == "aws:principalarn" and session:
            account, name = session.groups()
            role = iam_svc._roles.get_scoped(account, None, name) or {}
            return role.get("Arn") or f"arn:aws:iam::{account}:role/{name}"
        return original_resolve(key, ctx)

    ie._resolve_condition_key = resolve_condition_key


def register():
    handlers = p._RESOURCE_HANDLERS
    for missing in ("AWS::CodeArtifact::Domain", "AWS::CodeArtifact::Repository", "AWS::SecretsManager::RotationSchedule"):
        # A MiniStack that learned the type makes this launcher's provider a duplicate: say so.
        if missing in handlers:
            sys.exit(f"kit-providers: MiniStack now provides {missing}; drop the kit's provider (test/local-aws/ministack_server.py)")
    handlers["AWS::CodeArtifact::Domain"] = _codeartifact_provider("Domain", "DomainName", _domain_arn)
    handlers["AWS::CodeArtifact::Repository"] = _codeartifact_provider("Repository", "RepositoryName", _repository_arn)
    handlers["AWS::SecretsManager::RotationSchedule"] = {
        "create": _rotation_create, "update": _rotation_update, "delete": _rotation_delete,
    }
    handlers["AWS::SecretsManager::Secret"] = _secret_by_arn(handlers["AWS::SecretsManager::Secret"])
    _patch_condition_keys()


if __name__ == "__main__":
    # KIT_PROVIDERS=0: MiniStack as released, for ministack_probe.py's reproductions of its gaps.
    if os.environ.get("KIT_PROVIDERS", "1") != "0":
        register()
    sys.argv = sys.argv[:1]
    app.main()
