/**
 * Handler asset size and cold start: ours against the AwsCustomResource handler aws-cdk-lib ships.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';

function sizes(file: string): { bytes: number; gzip: number } {
  const data = fs.readFileSync(file);
  return { bytes: data.length, gzip: zlib.gzipSync(data, { level: 9 }).length };
}

export function coldStartReport(root: string): string[] {
  const ours = path.join(root, 'assets', 'lib', 'handler', 'index', 'index.js');
  const theirs = path.join(root, 'node_modules', 'aws-cdk-lib', 'custom-resource-handlers', 'dist', 'custom-resources', 'aws-custom-resource-handler', 'index.js');
  const o = sizes(ours);
  const t = sizes(theirs);
  return [
    '### Handler asset (minified, what the Lambda loads; both take the AWS SDK from the Node.js runtime)',
    '',
    '| handler | bytes | gzip bytes |',
    '|---|---:|---:|',
    `| cdk-codeartifact-token | ${o.bytes.toLocaleString('en-US')} | ${o.gzip.toLocaleString('en-US')} |`,
    `| AwsCustomResource (aws-cdk-lib) | ${t.bytes.toLocaleString('en-US')} | ${t.gzip.toLocaleString('en-US')} |`,
    `| ratio | ${(t.bytes / o.bytes).toFixed(1)}x smaller | ${(t.gzip / o.gzip).toFixed(1)}x smaller |`,
    '',
  ];
}
