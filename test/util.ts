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
