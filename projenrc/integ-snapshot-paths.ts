/**
 * Makes the committed integ snapshots the same on every machine: aws-cdk-lib records each construct's
 * creation stack trace (`aws:cdk:creationStack`, with the absolute paths of the machine that
 * synthesized it) in every `*.metadata.json`, and only the `aws:cdk:disable-creation-stack-traces`
 * context turns it off, which integ-runner gives the apps no way to set. `integ:update` runs this
 * after integ-runner; test/integ-snapshots.test.ts checks the result.
 *
 * Run: ts-node --project projenrc/tsconfig.json projenrc/integ-snapshot-paths.ts integ
 */
import * as fs from 'fs';
import * as path from 'path';

const CREATION_STACK = 'aws:cdk:creationStack';

/** Removes the creation stack traces from every snapshot's metadata.json under `integDir`; returns the files changed. */
export function stripCreationStacks(integDir: string): string[] {
  const changed: string[] = [];
  for (const snapshot of fs.readdirSync(integDir).filter((d) => d.endsWith('.snapshot'))) {
    const dir = path.join(integDir, snapshot);
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.metadata.json'))) {
      const full = path.join(dir, file);
      const metadata: Record<string, Array<{ type: string }>> = JSON.parse(fs.readFileSync(full, 'utf8'));
      const kept = Object.fromEntries(Object.entries(metadata)
        .map(([construct, entries]) => [construct, entries.filter((e) => e.type !== CREATION_STACK)] as const)
        .filter(([, entries]) => entries.length > 0));
      const text = `${JSON.stringify(kept, undefined, 2)}\n`;
      if (text !== fs.readFileSync(full, 'utf8')) {
        fs.writeFileSync(full, text);
        changed.push(full);
      }
    }
  }
  return changed;
}

if (require.main === module) {
  const changed = stripCreationStacks(process.argv[2] ?? 'integ');
  console.log(`integ snapshots: creation stack traces removed from ${changed.length} metadata file(s)`);
}
