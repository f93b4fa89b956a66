import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';

/** A stack with a concrete environment, so ARNs and tags resolve to literals. */
export function newStack(id = 'TestStack'): Stack {
  return new Stack(new App(), id, { env: { account: ACCOUNT, region: REGION } });
}

/** Every IAM statement in a template, from inline and managed policies alike. */
export function allStatements(template: Template): any[] {
  const policies = {
    ...template.findResources('AWS::IAM::Policy'),
    ...template.findResources('AWS::IAM::ManagedPolicy'),
  };
  return Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

/** The statements that grant one action. */
export function statementsFor(template: Template, action: string): any[] {
  return allStatements(template).filter((s) => [s.Action].flat().includes(action));
}

/**
 * The size IAM counts for a policy document once deployed: the partition and the stack id at their
 * longest (GovCloud's partition, a 128-character stack name).
 */
export function resolvedSize(doc: unknown): number {
  return JSON.stringify(doc)
    .replace(/\{"Ref":"AWS::Partition"\}/g, '"aws-us-gov"')
    .replace(/\{"Ref":"AWS::StackId"\}/g, `"arn:aws-us-gov:cloudformation:${REGION}:${ACCOUNT}:stack/${'S'.repeat(128)}/${'0'.repeat(36)}"`)
    .length;
}

/**
 * Checks IAM's default quotas for every role of a template (IAM and AWS STS quotas): at most 10
 * managed policies, each under 6,144 characters, and inline policies under 10,240 characters in all.
 * Returns the number of policies per role, for the caller's own expectations.
 */
export function expectWithinIamQuotas(template: Template): Record<string, { managed: number; inlineChars: number }> {
  const perRole: Record<string, { managed: number; inlineChars: number }> = {};
  const of = (role: string) => (perRole[role] ??= { managed: 0, inlineChars: 0 });
  for (const p of Object.values(template.findResources('AWS::IAM::ManagedPolicy')) as any[]) {
    expect(resolvedSize(p.Properties.PolicyDocument)).toBeLessThan(6144);
    for (const r of p.Properties.Roles) of(r.Ref).managed++;
  }
  for (const p of Object.values(template.findResources('AWS::IAM::Policy')) as any[]) {
    for (const r of p.Properties.Roles) of(r.Ref).inlineChars += resolvedSize(p.Properties.PolicyDocument);
  }
  for (const role of Object.values(perRole)) {
    expect(role.managed).toBeLessThanOrEqual(10);
    expect(role.inlineChars).toBeLessThan(10240);
  }
  return perRole;
}
