/**
 * Reads a synthesized template the way CloudFormation would deploy it into the local AWS: resolves
 * the intrinsic functions our templates use over the physical ids of what the kit created, and
 * finds the handler's Lambda and its asset in the cloud assembly.
 */
import * as fs from 'fs';
import * as path from 'path';

/** moto's default account, and where the local AWS "is". */
export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const PARTITION = 'aws';
export const STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/CodeArtifactTokenDefault/0a1b2c3d-4e5f-6789-abcd-ef0123456789`;

export interface HandlerFunction {
  readonly logicalId: string;
  /** The bundled handler file in the cloud assembly, as shipped. */
  readonly asset: string;
  readonly timeoutMs: number;
}

export class TemplateResolver {
  /** Physical ids of the resources the kit created, by logical id. */
  public readonly physical: Record<string, string> = {};

  constructor(public readonly template: any) {}

  /** Resolves a template value: Ref, Fn::GetAtt, Fn::Join, Fn::Sub over what the kit created. */
  public resolve(v: any): any {
    if (Array.isArray(v)) return v.map((x) => this.resolve(x));
    if (v === null || typeof v !== 'object') return v;
    if ('Ref' in v) {
      const pseudo: Record<string, string> = {
        'AWS::AccountId': ACCOUNT, 'AWS::Region': REGION, 'AWS::Partition': PARTITION, 'AWS::StackId': STACK_ID,
      };
      const ref = pseudo[v.Ref] ?? this.physical[v.Ref];
      if (ref === undefined) throw new Error(`cannot resolve Ref ${v.Ref}`);
      return ref;
    }
    if ('Fn::GetAtt' in v) {
      const [id, attr] = v['Fn::GetAtt'];
      const r = this.template.Resources[id];
      if (r?.Type === 'AWS::CodeArtifact::Domain' && attr === 'Name') return r.Properties.DomainName;
      if (r?.Type === 'AWS::Lambda::Function' && attr === 'Arn') return `arn:${PARTITION}:lambda:${REGION}:${ACCOUNT}:function:${id}`;
      throw new Error(`cannot resolve Fn::GetAtt ${id}.${attr}`);
    }
    if ('Fn::Join' in v) {
      const [sep, parts] = v['Fn::Join'];
      return this.resolve(parts).join(sep);
    }
    if ('Fn::Sub' in v) {
      return String(v['Fn::Sub']).replace(/\$\{([^}]+)\}/g, (_, name) => this.resolve({ Ref: name }));
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.resolve(x)]));
  }
}

/** The handler's Lambda in the template and its asset in cdk.out (by the Code S3Key hash). */
export function findHandler(template: any, cdkOut: string): HandlerFunction {
  const [logicalId, fn] = Object.entries<any>(template.Resources).find(([, r]) =>
    r.Type === 'AWS::Lambda::Function' && r.Properties.Description?.includes('cdk-codeartifact-token'))
    ?? (() => { throw new Error('no cdk-codeartifact-token handler Lambda in the template'); })();
  const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
  const asset = path.join(cdkOut, `asset.${hash}`, 'index.js');
  if (!fs.existsSync(asset)) throw new Error(`the handler asset ${asset} is missing from ${cdkOut}`);
  return { logicalId, asset, timeoutMs: (fn.Properties.Timeout ?? 3) * 1000 };
}
