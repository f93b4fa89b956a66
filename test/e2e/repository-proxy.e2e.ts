/**
 * The README's commands, run literally with the real endpoint URLs (real AWS host names), reach only
 * this machine: a user behind a corporate TLS-inspecting proxy, played by `RepositoryProxy` in front
 * of `PackageRepositories`. npm, pip, twine, curl and node use the proxy through the environment
 * `clientEnvironment()` gives; anything but a CodeArtifact repository host is refused and never dialled.
 */
import { randomBytes, X509Certificate } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AuthorizationRequest, Authorization, PackageRepositories, pythonWheel } from '../local-aws/package-repositories';
import { ensurePythonVenv } from '../local-aws/python-venv';
import { BashSnippetResult, explainRun, readmeSnippet, runBashSnippet } from '../local-aws/readme-snippets';
import { ensureTlsMaterial, isRepositoryHost, RepositoryProxy, repositoryHostNames } from '../local-aws/repository-proxy';

const DOMAIN = 'd';
const OWNER = '123456789012';
const REGION = 'eu-west-1';
const REPO = 'r';
const HOST = `${DOMAIN}-${OWNER}.d.codeartifact.${REGION}.amazonaws.com`;
const token = () => randomBytes(90).toString('base64url');
const READ = token();
const PUBLISH = token();
const TOKENS = new Map<string, string[]>([
  [READ, ['codeartifact:ReadFromRepository']],
  [PUBLISH, ['codeartifact:ReadFromRepository', 'codeartifact:PublishPackageVersion']],
]);

function authorize({ token: t, action }: AuthorizationRequest): Authorization {
  const actions = TOKENS.get(t);
  if (!actions) return { allowed: false, unauthenticated: true, reason: 'no such token was issued' };
  return actions.includes(action) ? { allowed: true } : { allowed: false, reason: `the token does not allow ${action}` };
}

/** A README as the project's own would hold these commands, with the markers `readmeSnippet` looks for. */
const README = `# Consuming the token

<!-- snippet: npm-install -->
\`\`\`bash
npm config set registry https://${HOST}/npm/${REPO}/ --location project && npm config set //${HOST}/npm/${REPO}/:_authToken "$TOKEN" --location project && npm install left-pad
\`\`\`

<!-- snippet: pip-install -->

\`\`\`sh
pip install --target ./site --index-url "https://aws:\${TOKEN}@${HOST}/pypi/${REPO}/simple/" acme-tools
\`\`\`

<!-- snippet: twine-upload -->
\`\`\`bash
TWINE_USERNAME=aws TWINE_PASSWORD=$TOKEN twine upload --repository-url https://${HOST}/pypi/${REPO}/ dist/*
\`\`\`

<!-- snippet: twice -->
\`\`\`ini
a = 1
\`\`\`
<!-- snippet: twice -->
\`\`\`ini
a = 2
\`\`\`
<!-- snippet: loose -->
no code block here
`;

/** node's own https does not read HTTPS_PROXY (before Node 24): a client that tunnels through it explicitly. */
const NODE_CLIENT = `const http = require('http'), https = require('https'), tls = require('tls');
const [host, path] = process.argv.slice(2);
const proxy = new URL(process.env.HTTPS_PROXY);
http.request({ host: proxy.hostname, port: proxy.port, method: 'CONNECT', path: host + ':443' })
  .on('connect', (res, socket) => {
    if (res.statusCode !== 200) { console.error('CONNECT ' + host + ':443 ' + res.statusCode); process.exit(3); }
    // createConnection without an agent: the request rides the tunnel (and a lookup that fails
    // rather than asking DNS, should it ever not).
    https.get({ host, port: 443, path, createConnection: () => tls.connect({ socket, servername: host }),
      lookup: (h, o, cb) => cb(new Error('no DNS lookups in these tests: ' + h)),
      headers: { authorization: 'Bearer ' + process.env.TOKEN } }, (r) => {
      console.log('GET ' + path + ' ' + r.statusCode);
      r.resume().on('end', () => process.exit(r.statusCode === 200 ? 0 : 4));
    }).on('error', (e) => { console.error(e.message); process.exit(5); });
  })
  .on('error', (e) => { console.error(e.message); process.exit(2); })
  .end();
`;

describe('the README\'s commands through a local TLS proxy for the real repository host names', () => {
  let repos: PackageRepositories;
  let proxy: RepositoryProxy;
  let work: string;
  let readme: string;
  let venvBin: string;
  const outputs: string[] = [];

  /** Runs a script as a user behind the proxy would: its environment, the kit's Python first on PATH. */
  async function run(script: string, extra: Record<string, string> = {}, cwd?: string): Promise<BashSnippetResult> {
    const dir = cwd ?? fs.mkdtempSync(path.join(work, 'run-'));
    const r = await runBashSnippet(script, {
      cwd: dir,
      env: { ...proxy.clientEnvironment(), PATH: `${venvBin}${path.delimiter}${process.env.PATH}`, ...extra },
      redact: [READ, PUBLISH],
      timeoutMs: 90_000,
      watch: [proxy],
    });
    outputs.push(r.output);
    return r;
  }

  beforeAll(async () => {
    venvBin = path.dirname(ensurePythonVenv());
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'ca-proxy-e2e-'));
    readme = path.join(work, 'README.md');
    fs.writeFileSync(readme, README);
    fs.writeFileSync(path.join(work, 'node-client.js'), NODE_CLIENT);
    repos = await PackageRepositories.start({ authorize });
    repos.addRepository(DOMAIN, OWNER, REGION, REPO);
    repos.seedNpm(DOMAIN, OWNER, REGION, REPO, 'left-pad', '1.3.0');
    repos.seedPypi(DOMAIN, OWNER, REGION, REPO, 'acme-tools', '0.1.0');
    proxy = await RepositoryProxy.start({ target: repos, regions: [REGION] });
  });

  afterAll(async () => {
    await proxy?.stop();
    await repos?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  afterEach(() => {
    for (const o of outputs) for (const t of [READ, PUBLISH]) expect(o).not.toContain(t);
    const logs = JSON.stringify([repos.requests, proxy.connects, proxy.forwarded]);
    for (const t of [READ, PUBLISH]) expect(logs).not.toContain(t);
  });

  test('the certificate: wildcards of one label for the repository host names, signed by the cached CA, reused', () => {
    const before = fs.statSync(proxy.material.certFile).mtimeMs;
    expect(ensureTlsMaterial([REGION])).toEqual(proxy.material);
    expect(fs.statSync(proxy.material.certFile).mtimeMs).toBe(before);
    const cert = new X509Certificate(fs.readFileSync(proxy.material.certFile));
    const ca = new X509Certificate(fs.readFileSync(proxy.material.caCertFile));
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkHost(HOST)).toBe(`*.d.codeartifact.${REGION}.amazonaws.com`);
    expect(cert.checkHost(`a.${HOST}`)).toBeUndefined();
    expect(cert.checkHost(`${DOMAIN}-${OWNER}.d.codeartifact.us-east-1.amazonaws.com`)).toBeUndefined();
    expect(cert.subjectAltName).toBe(repositoryHostNames([REGION]).map((n) => `DNS:${n}`).join(', '));
    expect(repositoryHostNames(['cn-north-1'])).toContain('*.d.codeartifact.cn-north-1.amazonaws.com.cn');
    expect(isRepositoryHost(HOST, [REGION])).toBe(true);
    expect(isRepositoryHost(`a.${HOST}`, [REGION])).toBe(false);
    expect(isRepositoryHost(`codeartifact.${REGION}.amazonaws.com`, [REGION])).toBe(false);
    expect(isRepositoryHost('registry.npmjs.org', [REGION])).toBe(false);
  });

  test('the certificate is made again for other regions, under the same CA', () => {
    const dir = path.join(work, 'tls');
    const first = ensureTlsMaterial([REGION], dir);
    const ca = fs.readFileSync(first.caCertFile, 'utf8');
    const cert = fs.readFileSync(first.certFile, 'utf8');
    const second = ensureTlsMaterial([REGION, 'us-east-1'], dir);
    expect(fs.readFileSync(second.caCertFile, 'utf8')).toBe(ca);
    expect(fs.readFileSync(second.certFile, 'utf8')).not.toBe(cert);
    expect(new X509Certificate(fs.readFileSync(second.certFile)).checkHost(`${DOMAIN}-${OWNER}.d.codeartifact.us-east-1.amazonaws.com`)).toBeDefined();
  });

  test('readmeSnippet: the block after the marker; none, two, or no block is an error naming the snippet', () => {
    expect(readmeSnippet('pip-install', readme)).toBe(`pip install --target ./site --index-url "https://aws:\${TOKEN}@${HOST}/pypi/${REPO}/simple/" acme-tools\n`);
    expect(() => readmeSnippet('absent', readme)).toThrow(/no snippet "absent" in .*README\.md/);
    expect(() => readmeSnippet('twice', readme)).toThrow(/snippet "twice" is marked 2 times/);
    expect(() => readmeSnippet('loose', readme)).toThrow(/snippet "loose" .* is not followed by a fenced code block/);
  });

  test('runBashSnippet: -euo pipefail, only the given environment, a temporary HOME, secrets redacted', async () => {
    const r = await run('echo "t=$TOKEN b=$(printf aws:%s "$TOKEN" | base64 -w0)"; echo "home=$HOME"; echo "aws=${AWS_PROFILE:-unset}"; false; echo never',
      { TOKEN: READ });
    expect(r).toMatchObject({ ok: false, exitCode: 1 });
    expect(r.output).toMatch(/^t=<redacted> b=<redacted>\nhome=\/.*ca-snippet-home-.*\naws=unset\n$/);
    expect(fs.existsSync(/home=(.*)/.exec(r.output)![1])).toBe(false);
  });

  test('npm: registry and token set as the README says, then npm install', async () => {
    const project = fs.mkdtempSync(path.join(work, 'npm-'));
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '0.0.0', private: true }));
    const start = { connects: proxy.connects.length, forwarded: proxy.forwarded.length };
    const r = await run(readmeSnippet('npm-install', readme), { TOKEN: READ }, project);
    expect(r).toSucceed();
    expect(fs.readFileSync(path.join(project, 'node_modules', 'left-pad', 'index.js'), 'utf8')).toContain('left-pad@1.3.0');
    expect(fs.readFileSync(path.join(project, '.npmrc'), 'utf8')).toContain(`registry=https://${HOST}/npm/${REPO}/`);
    const connects = proxy.connects.slice(start.connects);
    expect(connects.length).toBeGreaterThan(0);
    for (const c of connects) expect(c).toEqual({ method: 'CONNECT', host: HOST, port: 443, allowed: true });
    // The tarball came through the proxy too: the packument's link names the real endpoint. (npm's
    // audit also POSTs to /-/npm/v1/security/advisories/bulk, 404 here, which npm shrugs off.)
    expect(proxy.forwarded.slice(start.forwarded).filter((f) => f.method === 'GET').map((f) => `${f.method} ${f.host}${f.path} ${f.status}`)).toEqual([
      `GET ${HOST}/npm/${REPO}/left-pad 200`,
      `GET ${HOST}/npm/${REPO}/left-pad/-/left-pad-1.3.0.tgz 200`,
    ]);
  });

  test('pip install from the simple index with aws:TOKEN in the URL', async () => {
    const dir = fs.mkdtempSync(path.join(work, 'pip-'));
    const start = proxy.forwarded.length;
    const r = await run(readmeSnippet('pip-install', readme), { TOKEN: READ }, dir);
    expect(r).toSucceed();
    expect(fs.readFileSync(path.join(dir, 'site', 'acme_tools', '__init__.py'), 'utf8')).toContain('0.1.0');
    expect(proxy.forwarded.slice(start).map((f) => `${f.method} ${f.path} ${f.status}`)).toEqual([
      `GET /pypi/${REPO}/simple/acme-tools/ 200`,
      `GET /pypi/${REPO}/simple/acme-tools/0.1.0/acme_tools-0.1.0-py3-none-any.whl 200`,
    ]);
  });

  test('a refused run explains itself: npm\'s output and debug log, and the proxy\'s view of each request with its decision', async () => {
    // GIVEN a token the repositories never issued
    const unknown = token();
    const project = fs.mkdtempSync(path.join(work, 'npm-'));
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '0.0.0', private: true }));
    // WHEN npm installs with it as the README says
    const r = await runBashSnippet(readmeSnippet('npm-install', readme), {
      cwd: project, env: { ...proxy.clientEnvironment(), TOKEN: unknown }, redact: [unknown], timeoutMs: 90_000, watch: [proxy],
    });
    // THEN the trace holds the tunnel and the refused request with the repositories' reason, in order
    expect(r).not.toSucceed();
    expect(r.trace.join('\n')).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} proxy: CONNECT ${HOST}:443 tunnelled to the local TLS server\n`
      + `.* proxy: GET https://${HOST}/npm/${REPO}/left-pad -> 401 \\(unauthenticated codeartifact:ReadFromRepository on arn:aws:codeartifact:${REGION}:${OWNER}:repository/${DOMAIN}/${REPO}: no such token was issued\\)`));
    // AND the explanation carries npm's own words and its debug log, never the token
    const explained = explainRun(r);
    expect(explained).toMatch(/^exited 1; the client's output:\n {2}npm error code E401/);
    expect(explained).toMatch(/its debug log:\n {2}\S+-debug-0\.log/);
    expect(explained).toMatch(new RegExp(`http fetch GET 401 https://${HOST}/npm/${REPO}/left-pad`));
    expect(explained).toContain(`GET https://${HOST}/npm/${REPO}/left-pad -> 401`);
    expect(explained).not.toContain(unknown);
  });

  test('twine upload: accepted with a publish token, refused (403) with a read token', async () => {
    const upload = async (name: string, t: string) => {
      const dir = fs.mkdtempSync(path.join(work, 'twine-'));
      fs.mkdirSync(path.join(dir, 'dist'));
      const wheel = pythonWheel(name, '1.0.0');
      fs.writeFileSync(path.join(dir, 'dist', wheel.filename), wheel.data);
      return { r: await run(readmeSnippet('twine-upload', readme), { TOKEN: t }, dir), wheel };
    };
    const ok = await upload('proxied-pub', PUBLISH);
    expect(ok.r).toSucceed();
    expect(repos.pypiFiles(DOMAIN, OWNER, REGION, REPO, 'proxied-pub')).toEqual([ok.wheel.filename]);
    const refused = await upload('proxied-read', READ);
    expect(refused.r).not.toSucceed();
    expect(refused.r.output).toMatch(/403/);
    expect(repos.pypiFiles(DOMAIN, OWNER, REGION, REPO, 'proxied-read')).toEqual([]);
  });

  test('node trusts the CA through NODE_EXTRA_CA_CERTS when it tunnels to a repository host', async () => {
    const r = await run(`node ${path.join(work, 'node-client.js')} ${HOST} /npm/${REPO}/left-pad`, { TOKEN: READ });
    expect(r).toSucceed();
    expect(r.output).toBe(`GET /npm/${REPO}/left-pad 200\n`);
  });

  test('any other host is refused with 403 and never dialled', async () => {
    const start = proxy.connects.length;
    const curl = await run('curl -sS --max-time 10 https://example.com/');
    expect(curl).not.toSucceed();
    expect(curl.output).toMatch(/403/);
    const plain = await run('curl -sS -f --max-time 10 http://example.com/');
    expect(plain).not.toSucceed();
    expect(plain.output).toMatch(/403/);
    const node = await run(`node ${path.join(work, 'node-client.js')} example.com /`);
    expect(node).toMatchObject({ ok: false, exitCode: 3 });
    expect(node.output).toContain('CONNECT example.com:443 403');
    const npm = await run('npm view left-pad version --registry https://registry.npmjs.org/');
    expect(npm).not.toSucceed();
    const otherPort = await run(`curl -sS --max-time 10 https://${HOST}:8443/npm/${REPO}/left-pad`);
    expect(otherPort).not.toSucceed();

    const refused = proxy.connects.slice(start);
    expect(refused).toEqual(expect.arrayContaining([
      { method: 'CONNECT', host: 'example.com', port: 443, allowed: false },
      { method: 'GET', host: 'example.com', port: 80, allowed: false },
      { method: 'CONNECT', host: 'registry.npmjs.org', port: 443, allowed: false },
      { method: 'CONNECT', host: HOST, port: 8443, allowed: false },
    ]));
    for (const c of refused) expect(c.allowed).toBe(false);
    // Every connection the proxy ever opened went to its own TLS server, one per allowed CONNECT.
    expect(new Set(proxy.dials)).toEqual(new Set([`127.0.0.1:${proxy.tlsPort}`]));
    expect(proxy.dials.length).toBe(proxy.connects.filter((c) => c.allowed).length);
  });
});
