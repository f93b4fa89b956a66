"""A CDK app in Python, as `cdk init app --language python` users write one, against the built wheel.

It synthesizes, then reads the template JSON from the cloud assembly and checks what the construct
must have put there. Exits non-zero if any check fails.
"""
import json
import os
import sys

import aws_cdk as cdk
from aws_cdk import aws_codebuild as codebuild
from cdk_codeartifact_token import CodeArtifactAuthorizationToken

app = cdk.App()
stack = cdk.Stack(app, "Consumer", env=cdk.Environment(account="111122223333", region="eu-west-1"))

token = CodeArtifactAuthorizationToken(stack, "Token", domain="my-domain", token_duration=cdk.Duration.hours(8))
project = codebuild.PipelineProject(stack, "Build")
token.grant_read(project)

assembly = app.synth()

with open(assembly.get_stack_artifact("Consumer").template_full_path) as f:
    resources = json.load(f)["Resources"]


def of_type(t):
    return [r for r in resources.values() if r["Type"] == t]


secret_id = stack.get_logical_id(token.secret.node.default_child)
role_id = stack.get_logical_id(project.role.node.default_child)
results = []


def check(ok, name, got):
    results.append(ok)
    print(("ok - " if ok else "FAIL - ") + name + ("" if ok else f" (got {got!r})"))


issuers = of_type("Custom::CodeArtifactAuthorizationToken")
check([r["Properties"]["DurationSeconds"] for r in issuers] == ["28800"],
      "the custom resource issues 8-hour tokens (DurationSeconds 28800)", issuers)

expressions = [r["Properties"]["RotationRules"]["ScheduleExpression"] for r in of_type("AWS::SecretsManager::RotationSchedule")]
check(expressions == ["rate(4 hours)"] and token.rotation_interval.to_hours() == 4,
      "8-hour tokens rotate every 4 hours (rate(4 hours))", expressions)

functions = of_type("AWS::Lambda::Function")
check(len(functions) == 1, "exactly one Lambda function", len(functions))

# The handler asset must have travelled inside the wheel's embedded jsii tarball.
asset = ""
if len(functions) == 1:
    asset = os.path.join(assembly.directory, "asset." + functions[0]["Properties"]["Code"]["S3Key"].removesuffix(".zip"), "index.js")
check(os.path.isfile(asset), "the bundled handler is in the cloud assembly", asset)

statements = [
    s
    for p in of_type("AWS::IAM::Policy") if p["Properties"]["Roles"] == [{"Ref": role_id}]
    for s in p["Properties"]["PolicyDocument"]["Statement"]
]


def actions(statement):
    return statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]


check(any("secretsmanager:GetSecretValue" in actions(s) and s["Resource"] == {"Ref": secret_id} for s in statements),
      "the CodeBuild project's role may secretsmanager:GetSecretValue on the token's secret", statements)

print(f"python: {results.count(True)} passed, {results.count(False)} failed")
sys.exit(0 if all(results) else 1)
