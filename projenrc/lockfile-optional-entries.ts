import * as fs from 'fs';
import * as path from 'path';
import { Component } from 'projen';

/**
 * The npm registry reachable from our machines does not serve every platform's optional native
 * package (e.g. @unrs/resolver-binding-darwin-arm64, pulled in by jest 30), so `npm install` leaves
 * them out of package-lock.json and `npm ci` then refuses the lock as out of sync. Recording them
 * as optional entries keeps `npm ci` working; npm skips an optional package it cannot fetch.
 */
export class LockfileOptionalEntries extends Component {
  public postSynthesize(): void {
    const file = path.join(this.project.outdir, 'package-lock.json');
    if (!fs.existsSync(file)) {
      return;
    }
    const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
    const packages: Record<string, any> = lock.packages ?? {};
    let changed = false;
    for (const entry of Object.values(packages)) {
      for (const [name, version] of Object.entries<string>(entry.optionalDependencies ?? {})) {
        if (!packages[`node_modules/${name}`]) {
          packages[`node_modules/${name}`] = { version, dev: entry.dev === true, optional: true };
          changed = true;
        }
      }
    }
    if (changed) {
      lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
      fs.writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
    }
  }
}
