/**
 * Construct Hub renders the assembly's docs in every language: fail when a public type, member or
 * parameter has no summary, or an optional prop has no `@default`. Reads the compiled `.jsii`.
 */
import * as fs from 'fs';
import * as path from 'path';

interface Docs { readonly summary?: string; readonly default?: string }
interface Parameter { readonly name: string; readonly docs?: Docs }
interface Callable { readonly name?: string; readonly docs?: Docs; readonly parameters?: Parameter[] }
interface Property { readonly name: string; readonly docs?: Docs; readonly optional?: boolean }
interface Type {
  readonly kind: string;
  readonly docs?: Docs;
  readonly initializer?: Callable;
  readonly methods?: Callable[];
  readonly properties?: Property[];
}

const assemblyFile = path.join(__dirname, '..', '.jsii');
if (!fs.existsSync(assemblyFile)) {
  throw new Error(`${assemblyFile} is missing: run \`npx projen compile\` first`);
}
const types: Record<string, Type> = JSON.parse(fs.readFileSync(assemblyFile, 'utf8')).types;

const problems: string[] = [];
const needSummary = (where: string, docs?: Docs) => {
  if (!docs?.summary) problems.push(`${where}: no documentation`);
};
for (const [fqn, type] of Object.entries(types)) {
  needSummary(fqn, type.docs);
  for (const property of type.properties ?? []) {
    needSummary(`${fqn}.${property.name}`, property.docs);
    if (type.kind === 'interface' && property.optional && property.docs?.default === undefined) {
      problems.push(`${fqn}.${property.name}: optional without @default`);
    }
  }
  const callables = [...(type.initializer ? [{ ...type.initializer, name: 'constructor' }] : []), ...(type.methods ?? [])];
  for (const callable of callables) {
    if (callable.name !== 'constructor') needSummary(`${fqn}.${callable.name}()`, callable.docs);
    for (const parameter of callable.parameters ?? []) {
      needSummary(`${fqn}.${callable.name}(${parameter.name})`, parameter.docs);
    }
  }
}

if (problems.length > 0) {
  console.error(`API documentation is incomplete:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`API documentation: ${Object.keys(types).length} types, every member and parameter documented, every optional prop has @default`);
