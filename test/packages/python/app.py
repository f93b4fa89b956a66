"""A CDK app in Python, as `cdk init app --language python` users write one, against the built wheel.

It synthesizes, then reads the template JSON from the cloud assembly and checks what the construct
must have put there. Exits non-zero if any check fails.
"""
import json
import os
import sys

import aws_cdk as cdk
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from cdk_codeartifact_token import CodeArtifactAuthorizationToken, PackageFormat, RepositoryAccess

app = cdk.App()
stack = cdk.Stack(app, "Consumer", env=cdk.Environment(account="111122223333", region="eu-west-1"))

# A release build: pip installs from "shared", twine publishes to "releases".
key = kms.Key(stack, "Key", enable_key_rotation=True)
token = CodeArtifactAuthorizationToken(
    stack, "Token",
    domain="my-domain",
    repositories=["shared", "releases"],
    access=RepositoryAccess.READ_AND_PUBLISH,
    token_duration=cdk.Duration.hours(8),
    # Secrets Manager's own schedule at its 4-hour minimum (without it, 8-hour tokens rotate through EventBridge Scheduler)
    rotation_interval=cdk.Duration.hours(4),
    encryption_key=key,
)
upload_url = token.repository_endpoint("releases", PackageFormat.PYPI)
index_url = token.repository_endpoint("shared", PackageFormat.PYPI) + "simple/"
project = codebuild.PipelineProject(stack, "Build", environment_variables={
    "PIP_INDEX_URL": codebuild.BuildEnvironmentVariable(value=index_url),
    **token.code_build_environment_variables(
        repository="releases", format=PackageFormat.PYPI, endpoint_variable="TWINE_REPOSITORY_URL"),
})
token.grant_read(project)

# Operations: hear about a failing refresh.
token.on_rotation_failed("RotationFailed", rule_name="token-rotation-failed")
stale = token.alarm_on_stale_token("StaleToken", alarm_name="stale-token")
issued = token.metric_tokens_issued(period=cdk.Duration.hours(1))

# The other consumers, one call each.
task = ecs.FargateTaskDefinition(stack, "Task")
task.add_container("App", image=ecs.ContainerImage.from_registry("public.ecr.aws/docker/library/python:3.12"),
                   secrets={"CODEARTIFACT_AUTH_TOKEN": token.ecs_secret()})
fn = lambda_.Function(stack, "Fn", runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
                      code=lambda_.Code.from_inline("def handler(event, context):\n    return None\n"))
token.add_to_function(fn, repository="shared", format=PackageFormat.PYPI, endpoint_variable="PIP_INDEX_URL")
token.grant_read_to_account("444455556666")

assembly = app.synth()

with open(assembly.get_stack_artifact("Consumer").template_full_path) as f:
    resources = json.load(f)["Resources"]


def of_type(t):
    return [r for r in resources.values() if r["Type"] == t]


secret_id = stack.get_logical_id(token.secret.node.default_child)
role_id = stack.get_logical_id(project.role.node.default_child)
issuer_role_id = stack.get_logical_id(token.issuer_role.node.default_child)
results = []


def check(ok, name, got):
    results.append(ok)
    print(("ok - " if ok else "FAIL - ") + name + ("" if ok else f" (got {got!r})"))


def actions(statement):
    return statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]


def resources_of(statement):
    return statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]


check(upload_url == "https://my-domain-111122223333.d.codeartifact.eu-west-1.amazonaws.com/pypi/releases/",
      "repository_endpoint gives the PyPI endpoint of releases", upload_url)
check(token.repositories == ["shared", "releases"] and token.access == RepositoryAccess.READ_AND_PUBLISH,
      "the token keeps its repositories and access", (token.repositories, token.access))

issuers = of_type("Custom::CodeArtifactAuthorizationToken")
check([r["Properties"]["DurationSeconds"] for r in issuers] == ["28800"],
      "the custom resource issues 8-hour tokens (DurationSeconds 28800)", issuers)
check([(r["Properties"]["Repositories"], r["Properties"]["Access"]) for r in issuers] == [("shared releases", "read-and-publish")],
      "the custom resource issues for shared and releases, read-and-publish", issuers)

roles = of_type("AWS::IAM::Role")
check(len(roles) == 6, "six roles: the handler's, the issuer's, the CodeBuild project's, the task's and its execution role, the function's", len(roles))

expressions = [r["Properties"]["RotationRules"]["ScheduleExpression"] for r in of_type("AWS::SecretsManager::RotationSchedule")]
check(expressions == ["rate(4 hours)"] and token.rotation_interval.to_hours() == 4,
      "8-hour tokens rotate every 4 hours (rate(4 hours))", expressions)

functions = [r for r in of_type("AWS::Lambda::Function") if r["Properties"].get("Handler") == "index.handler" and "ISSUER_ROLE_ARN" in r["Properties"].get("Environment", {}).get("Variables", {})]
check(len(functions) == 1, "exactly one token handler Lambda function", len(functions))
environment = functions[0]["Properties"]["Environment"]["Variables"] if len(functions) == 1 else {}
check(environment.get("ISSUER_ROLE_ARN") == {"Fn::GetAtt": [issuer_role_id, "Arn"]},
      "the handler is given the issuer role's ARN (ISSUER_ROLE_ARN)", environment)

# The handler asset must have travelled inside the wheel's embedded jsii tarball.
asset = ""
if len(functions) == 1:
    asset = os.path.join(assembly.directory, "asset." + functions[0]["Properties"]["Code"]["S3Key"].removesuffix(".zip"), "index.js")
check(os.path.isfile(asset), "the bundled handler is in the cloud assembly", asset)

# The issuer's rights fill its inline policy first, then managed policies.
issuer_statements = [
    s
    for p in of_type("AWS::IAM::Policy") + of_type("AWS::IAM::ManagedPolicy") if p["Properties"]["Roles"] == [{"Ref": issuer_role_id}]
    for s in p["Properties"]["PolicyDocument"]["Statement"]
]
package_wildcard = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":codeartifact:eu-west-1:111122223333:package/my-domain/releases/*"]]}
check(any("codeartifact:PublishPackageVersion" in actions(s) and package_wildcard in resources_of(s) for s in issuer_statements),
      "the issuer role may codeartifact:PublishPackageVersion on package/my-domain/releases/*", issuer_statements)

# What the domain owner's repository policy would hold, were the domain in another account.
repository_statement = stack.resolve(token.repository_policy_statement().to_statement_json())
check(repository_statement["Principal"] == {"AWS": {"Fn::GetAtt": [issuer_role_id, "Arn"]}}
      and "codeartifact:PublishPackageVersion" in actions(repository_statement),
      "repository_policy_statement lets the issuer role publish", repository_statement)

statements = [
    s
    for p in of_type("AWS::IAM::Policy") if p["Properties"]["Roles"] == [{"Ref": role_id}]
    for s in p["Properties"]["PolicyDocument"]["Statement"]
]
check(any("secretsmanager:GetSecretValue" in actions(s) and s["Resource"] == {"Ref": secret_id} for s in statements),
      "the CodeBuild project's role may secretsmanager:GetSecretValue on the token's secret", statements)

secret_ref = {"Ref": secret_id}
rules = of_type("AWS::Events::Rule")
check([r["Properties"]["EventPattern"]["detail"] for r in rules] == [{
    "eventSource": ["secretsmanager.amazonaws.com"], "eventName": ["RotationFailed"],
    "additionalEventData": {"SecretId": [secret_ref]}}]
      and rules[0]["Properties"]["EventPattern"]["detail-type"] == ["AWS Service Event via CloudTrail"],
      "on_rotation_failed matches RotationFailed events of the token's secret", rules)
alarms = of_type("AWS::CloudWatch::Alarm")
check([(a["Properties"]["AlarmName"], a["Properties"]["Namespace"], a["Properties"]["MetricName"], a["Properties"]["Dimensions"],
        a["Properties"]["Period"], a["Properties"]["EvaluationPeriods"], a["Properties"]["TreatMissingData"]) for a in alarms]
      == [("stale-token", "CdkCodeArtifactToken", "TokensIssued", [{"Name": "SecretArn", "Value": secret_ref}], 3600, 6, "breaching")],
      "alarm_on_stale_token: 6 hourly periods (4-hour rotation + 1-hour window + 1) without a token, missing data breaching", alarms)
check(issued.namespace == "CdkCodeArtifactToken" and issued.metric_name == "TokensIssued" and issued.statistic == "Sum",
      "metric_tokens_issued is the handler's EMF metric, summed", (issued.namespace, issued.metric_name, issued.statistic))

env_vars = of_type("AWS::CodeBuild::Project")[0]["Properties"]["Environment"]["EnvironmentVariables"]
check({"Name": "CODEARTIFACT_AUTH_TOKEN", "Type": "SECRETS_MANAGER", "Value": {"Fn::Join": ["", [secret_ref, ":authorizationToken"]]}} in env_vars
      and {"Name": "TWINE_REPOSITORY_URL", "Type": "PLAINTEXT", "Value": upload_url} in env_vars,
      "code_build_environment_variables: the token from the secret's authorizationToken key, and the endpoint", env_vars)
containers = of_type("AWS::ECS::TaskDefinition")[0]["Properties"]["ContainerDefinitions"]
check(containers[0]["Secrets"] == [{"Name": "CODEARTIFACT_AUTH_TOKEN", "ValueFrom": {"Fn::Join": ["", [secret_ref, ":authorizationToken::"]]}}],
      "ecs_secret: a container secret from the authorizationToken key", containers)
fn_env = [r for r in of_type("AWS::Lambda::Function") if r["Properties"].get("Handler") == "index.handler" and r["Properties"]["Runtime"].startswith("python")]
check([f["Properties"]["Environment"]["Variables"] for f in fn_env] == [{
    "CODEARTIFACT_TOKEN_SECRET_ARN": secret_ref,
    "PIP_INDEX_URL": "https://my-domain-111122223333.d.codeartifact.eu-west-1.amazonaws.com/pypi/shared/"}],
      "add_to_function: the secret's ARN and the endpoint in the function's environment", fn_env)
policies = of_type("AWS::SecretsManager::ResourcePolicy")
check([p["Properties"]["ResourcePolicy"]["Statement"][0]["Principal"] for p in policies]
      == [{"AWS": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::444455556666:root"]]}}],
      "grant_read_to_account: the other account in the secret's resource policy", policies)

print(f"python: {results.count(True)} passed, {results.count(False)} failed")
sys.exit(0 if all(results) else 1)
