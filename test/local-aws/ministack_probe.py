"""
What MiniStack (AUTH=true) does with the IAM and CloudFormation features this library's templates
use or are about to use, each as a minimal reproduction against a MiniStack started WITHOUT the kit's
providers (KIT_PROVIDERS=0). Prints one JSON object: {check: observed outcome}. The e2e
(ministack-deploy.e2e.ts) asserts the outcomes README.md documents, so a MiniStack release that
changes one of them fails the test instead of leaving the README wrong.

Usage: python ministack_probe.py ENDPOINT REGION ACCOUNT
"""
import io
import json
import sys
import time
import zipfile

import botocore.session

ENDPOINT, REGION, ACCOUNT = sys.argv[1:4]
session = botocore.session.get_session()


def client(service, creds=None):
    creds = creds or {"aws_access_key_id": ACCOUNT, "aws_secret_access_key": "test"}
    return session.create_client(service, region_name=REGION, endpoint_url=ENDPOINT, **creds)


def outcome(call):
    try:
        call()
        return "allowed"
    except Exception as e:  # the error code is the outcome
        code = getattr(e, "response", {}).get("Error", {}).get("Code")
        return code or type(e).__name__


iam, sts, sm, cfn, lam = (client(s) for s in ("iam", "sts", "secretsmanager", "cloudformation", "lambda"))
out = {}
trust_root = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}]}
trust_lambda = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def role(name, trust, policy=None):
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    if policy:
        iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=json.dumps(policy))
    return arn


def session_of(role_arn, tags=None, caller=None):
    c = client("sts", caller) if caller else sts
    creds = c.assume_role(RoleArn=role_arn, RoleSessionName="probe", **({"Tags": tags} if tags else {}))["Credentials"]
    return {"aws_access_key_id": creds["AccessKeyId"], "aws_secret_access_key": creds["SecretAccessKey"], "aws_session_token": creds["SessionToken"]}


secret = sm.create_secret(Name="probe-secret", SecretString="{}", Tags=[{"Key": "owner", "Value": "a"}])["ARN"]

# (a) session tags: aws:PrincipalTag from AssumeRole Tags, and sts:TagSession required by the trust policy
tagged = role("probe-tagged", trust_root, {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "secretsmanager:DescribeSecret", "Resource": "*",
    "Condition": {"StringEquals": {"aws:PrincipalTag/cdk-codeartifact-token:token": "t1"}}}]})
out["a_principal_tag_matching"] = outcome(lambda: client("secretsmanager", session_of(tagged, [{"Key": "cdk-codeartifact-token:token", "Value": "t1"}])).describe_secret(SecretId=secret))
out["a_principal_tag_other_value"] = outcome(lambda: client("secretsmanager", session_of(tagged, [{"Key": "cdk-codeartifact-token:token", "Value": "t2"}])).describe_secret(SecretId=secret))
no_tag_session = role("probe-no-tagsession", {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]})
out["a_tags_without_sts_TagSession_in_trust"] = outcome(lambda: session_of(no_tag_session, [{"Key": "k", "Value": "v"}]))

# (b) the trust policy trusts the account root with an aws:PrincipalArn condition
caller = role("probe-caller", trust_root, {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"], "Resource": "*"}]})
other = role("probe-other", trust_root, {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"], "Resource": "*"}]})
target = role("probe-target", {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole",
                                                                    "Condition": {"ArnEquals": {"aws:PrincipalArn": caller}}}]})
out["b_principal_arn_condition_matching"] = outcome(lambda: session_of(target, caller=session_of(caller)))
out["b_principal_arn_condition_other_role"] = outcome(lambda: session_of(target, caller=session_of(other)))
# which part refuses: the root principal for a role session, or the value of aws:PrincipalArn?
out["b_root_trust_role_session_no_condition"] = outcome(lambda: session_of(role("probe-open", trust_root), caller=session_of(caller)))
by_session_arn = role("probe-target-session-arn", {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole",
                                                                                       "Condition": {"ArnLike": {"aws:PrincipalArn": f"arn:aws:sts::{ACCOUNT}:assumed-role/probe-caller/*"}}}]})
out["b_principal_arn_is_the_session_arn"] = outcome(lambda: session_of(by_session_arn, caller=session_of(caller)))

# (b) lambda:SourceFunctionArn on a call made with a function's execution-role credentials
fn_role = role("probe-fn", trust_lambda, {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*",
    "Condition": {"ArnEquals": {"lambda:SourceFunctionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:probe-fn"}}}]})
fn_target = role("probe-fn-target", {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]})
code = io.BytesIO()
with zipfile.ZipFile(code, "w") as z:
    z.writestr("index.py", "import os, botocore.session\n"
               "def handler(event, context):\n"
               "    c = botocore.session.get_session().create_client('sts', region_name=os.environ['AWS_REGION'], endpoint_url=os.environ['AWS_ENDPOINT_URL'])\n"
               "    try:\n        c.assume_role(RoleArn=event['role'], RoleSessionName='probe')\n        return 'allowed'\n"
               "    except Exception as e:\n        return getattr(e, 'response', {}).get('Error', {}).get('Code') or type(e).__name__\n")
lam.create_function(FunctionName="probe-fn", Runtime="python3.12", Role=fn_role, Handler="index.handler", Code={"ZipFile": code.getvalue()}, Timeout=30)
for _ in range(100):
    if lam.get_function(FunctionName="probe-fn")["Configuration"].get("State", "Active") == "Active":
        break
    time.sleep(0.1)
payload = lam.invoke(FunctionName="probe-fn", Payload=json.dumps({"role": fn_target}))["Payload"].read()
out["b_lambda_source_function_arn_condition"] = json.loads(payload)

# (c) the tags CloudFormation adds, and aws:ResourceTag on them; (d) AWS::Scheduler::ScheduleGroup;
# the gaps: RotationSchedule, CodeArtifact, Ref of a secret
template = {"Resources": {
    "Secret": {"Type": "AWS::SecretsManager::Secret", "Properties": {"SecretString": "{}"}},
    "Group": {"Type": "AWS::Scheduler::ScheduleGroup", "Properties": {}},
}, "Outputs": {"SecretRef": {"Value": {"Ref": "Secret"}}, "GroupArn": {"Value": {"Fn::GetAtt": ["Group", "Arn"]}}}}


def deploy(name, body):
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(body))
    for _ in range(200):
        stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
        if not stack["StackStatus"].endswith("IN_PROGRESS"):
            return stack
        time.sleep(0.1)
    return stack


stack = deploy("probe-stack", template)
outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
out["d_schedule_group_stack_status"] = stack["StackStatus"]
out["ref_of_secret_is_arn"] = outputs.get("SecretRef", "").startswith("arn:")
if stack["StackStatus"] == "CREATE_COMPLETE":
    cfn_secret = [r for r in cfn.describe_stack_resources(StackName="probe-stack")["StackResources"] if r["LogicalResourceId"] == "Secret"][0]
    tags = {t["Key"]: t["Value"] for t in sm.describe_secret(SecretId=outputs["SecretRef"]).get("Tags", [])}
    out["c_system_tags"] = sorted(k for k in tags if k.startswith("aws:cloudformation:"))
    scoped = role("probe-resource-tag", trust_root, {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "secretsmanager:DescribeSecret", "Resource": "*",
        "Condition": {"StringEquals": {"aws:ResourceTag/aws:cloudformation:logical-id": "Secret"}}}]})
    scoped_sm = client("secretsmanager", session_of(scoped))
    out["c_resource_tag_logical_id_matching"] = outcome(lambda: scoped_sm.describe_secret(SecretId=outputs["SecretRef"]))
    out["c_resource_tag_logical_id_other_secret"] = outcome(lambda: scoped_sm.describe_secret(SecretId=secret))
    client("scheduler").get_schedule_group(Name=outputs["GroupArn"].split("/")[-1])
    cfn.delete_stack(StackName="probe-stack")
    for _ in range(200):
        try:
            if cfn.describe_stacks(StackName="probe-stack")["Stacks"][0]["StackStatus"] == "DELETE_COMPLETE":
                break
        except Exception:
            break
        time.sleep(0.1)
    out["d_schedule_groups_after_delete"] = [g["Name"] for g in client("scheduler").list_schedule_groups()["ScheduleGroups"] if g["Name"] != "default"]

for kind, props in (("AWS::SecretsManager::RotationSchedule", {"SecretId": secret, "RotationLambdaARN": "arn:aws:lambda:%s:%s:function:probe-fn" % (REGION, ACCOUNT), "RotationRules": {"ScheduleExpression": "rate(4 hours)"}}),
                    ("AWS::CodeArtifact::Domain", {"DomainName": "probe"})):
    try:
        s = deploy("probe-" + kind.split("::")[-1].lower(), {"Resources": {"R": {"Type": kind, "Properties": props}}})
        out["unsupported_" + kind] = s["StackStatus"]
    except Exception as e:  # CreateStack refuses the template
        out["unsupported_" + kind] = str(e)

# RotateSecret: does it invoke the rotation function, and what becomes AWSCURRENT?
before = sm.get_secret_value(SecretId=secret)["VersionId"]
sm.rotate_secret(SecretId=secret, RotationLambdaARN=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:probe-fn", RotationRules={"AutomaticallyAfterDays": 1})
after = sm.describe_secret(SecretId=secret)["VersionIdsToStages"]
out["rotate_secret_promotes_without_function"] = [stages for vid, stages in after.items() if vid != before] == [["AWSCURRENT"]]

print(json.dumps(out, indent=1, sort_keys=True))
