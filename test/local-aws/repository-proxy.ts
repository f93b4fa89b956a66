/**
 * The real CodeArtifact repository host names, served on this machine the way a corporate
 * TLS-inspecting proxy serves them: clients keep the real endpoint URLs
 * (`https://DOMAIN-OWNER.d.codeartifact.REGION.amazonaws.com/FORMAT/REPO/`), set `HTTPS_PROXY` and
 * trust one more certificate authority (see `clientEnvironment`), and reach `PackageRepositories`.
 *
 *   client --CONNECT host:443--> proxy (HTTP, 127.0.0.1) --tunnel--> TLS server (127.0.0.1, a leaf
 *   certificate for the repository host names, signed by a local CA) --plain HTTP--> PackageRepositories
 *
 * The proxy never dials the host a client asks for: a CONNECT to a repository host name of one of the
 * given regions is tunnelled to the local TLS server, and anything else (another host, another port,
 * a plain proxied `GET http://...`) is answered 403 and recorded in `connects`.
 *
 * The certificates are made with the `openssl` command line and cached under `.e2e/tls/` (see
 * `ensureTlsMaterial`).
 */
import { execFileSync } from 'child_process';
import { X509Certificate } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as path from 'path';
import * as tls from 'tls';
import { clock, close, Watchable } from './net';
import { DECISION_HEADER } from './package-repositories';
import { PROJECT_ROOT } from './python-venv';

/** What the proxy forwards to: `PackageRepositories`, or anything that maps a real endpoint URL to a local one. */
export interface RepositoryTarget {
  /** Maps `https://REAL-HOST/PATH` to the local plain-HTTP URL; throws for a URL it does not serve. */
  localEndpoint(realUrl: string): string;
}

export interface RepositoryProxyOptions {
  readonly target: RepositoryTarget;
  /** The regions whose repository host names the certificate covers and the proxy lets through, e.g. `['eu-west-1']`. */
  readonly regions: readonly string[];
  /** Where the CA and the server certificate are cached. Default `<project>/.e2e/tls`. */
  readonly tlsDir?: string;
}

/** One request to the proxy: a CONNECT, or a plain proxied request (always refused). */
export interface ProxyConnect {
  /** `CONNECT`, or the method of a plain proxied request. */
  readonly method: string;
  readonly host: string;
  readonly port: number;
  readonly allowed: boolean;
}

/** One request that went through the tunnel to the target (the path never holds credentials: they travel in headers). */
export interface ForwardedRequest {
  readonly method: string;
  readonly host: string;
  readonly path: string;
  readonly status: number;
}


export interface TlsMaterial {
  readonly caCertFile: string;
  readonly caKeyFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** The subject alternative names of the server certificate, `DNS:` entries without the prefix. */
  readonly dnsNames: readonly string[];
}

/** The default cache of the CA and the server certificate (gitignored with all of `.e2e/`). */
export const DEFAULT_TLS_DIR = path.join(PROJECT_ROOT, '.e2e', 'tls');
const DAYS = 5;
/** Regenerate a certificate that expires within this. */
const MIN_REMAINING_MS = 24 * 3600 * 1000;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
/** The left-most label of a repository host name: `DOMAIN-OWNER`. */
const DOMAIN_OWNER = /^[a-z][a-z0-9-]*-\d{12}$/;

/**
 * The wildcard names the server certificate holds for some regions. A wildcard stands for exactly one
 * left-most label (RFC 6125, as Node, npm and Python's ssl check host names), which is what a
 * repository host name has in front of `.d.codeartifact.REGION...`: `DOMAIN-OWNER`.
 * `amazonaws.com.cn` only for the China regions (`cn-*`).
 */
export function repositoryHostNames(regions: readonly string[]): string[] {
  const names: string[] = [];
  for (const region of [...new Set(regions)].sort()) {
    if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new Error(`not a region: ${region}`);
    names.push(`*.d.codeartifact.${region}.amazonaws.com`);
    if (region.startsWith('cn-')) names.push(`*.d.codeartifact.${region}.amazonaws.com.cn`);
    names.push(`*.d.codeartifact.${region}.on.aws`, `*.codeartifact.${region}.on.aws`);
  }
  return names;
}

/** Whether `host` is a repository host name (`DOMAIN-OWNER.` and one of the wildcards of `repositoryHostNames`). */
export function isRepositoryHost(host: string, regions: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  const dot = h.indexOf('.');
  if (dot < 0 || !DOMAIN_OWNER.test(h.slice(0, dot))) return false;
  return repositoryHostNames(regions).some((name) => name.slice(2) === h.slice(dot + 1));
}

/**
 * The local CA and a server certificate it signed for `repositoryHostNames(regions)`, under `dir`
 * (default `<project>/.e2e/tls`, gitignored). Reused while valid for another day; the CA is remade
 * when missing or expiring, the server certificate also when it was not signed by the CA or its names
 * differ. RSA 2048, SHA-256, valid for 5 days.
 */
export function ensureTlsMaterial(regions: readonly string[], dir = DEFAULT_TLS_DIR): TlsMaterial {
  fs.mkdirSync(dir, { recursive: true });
  const m: TlsMaterial = {
    caCertFile: path.join(dir, 'ca.crt'),
    caKeyFile: path.join(dir, 'ca.key'),
    certFile: path.join(dir, 'server.crt'),
    keyFile: path.join(dir, 'server.key'),
    dnsNames: repositoryHostNames(regions),
  };
  const ca = readCert(m.caCertFile);
  const caOk = ca !== undefined && fs.existsSync(m.caKeyFile) && ca.ca && fresh(ca);
  if (!caOk) {
    const tmp = fs.mkdtempSync(path.join(dir, 'ca-'));
    try {
      openssl(['req', '-x509', '-newkey', 'rsa:2048', '-sha256', '-nodes', '-days', `${DAYS}`,
        '-keyout', path.join(tmp, 'ca.key'), '-out', path.join(tmp, 'ca.crt'),
        '-subj', '/O=cdk-codeartifact-token e2e/CN=cdk-codeartifact-token local CA',
        '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0',
        '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
      fs.renameSync(path.join(tmp, 'ca.key'), m.caKeyFile);
      fs.renameSync(path.join(tmp, 'ca.crt'), m.caCertFile);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  const caCert = readCert(m.caCertFile)!;
  const leaf = readCert(m.certFile);
  const names = (leaf?.subjectAltName ?? '').split(', ').filter((n) => n.startsWith('DNS:')).map((n) => n.slice(4));
  const leafOk = caOk && leaf !== undefined && fs.existsSync(m.keyFile) && fresh(leaf) && leaf.checkIssued(caCert)
    && leaf.verify(caCert.publicKey) && [...names].sort().join(',') === [...m.dnsNames].sort().join(',');
  if (!leafOk) {
    const tmp = fs.mkdtempSync(path.join(dir, 'server-'));
    try {
      const ext = path.join(tmp, 'server.ext');
      fs.writeFileSync(ext, [
        'basicConstraints = critical,CA:FALSE',
        'keyUsage = critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage = serverAuth',
        'subjectKeyIdentifier = hash',
        'authorityKeyIdentifier = keyid,issuer',
        `subjectAltName = ${m.dnsNames.map((n) => `DNS:${n}`).join(',')}`,
        '',
      ].join('\n'));
      openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(tmp, 'server.key'),
        '-out', path.join(tmp, 'server.csr'), '-subj', '/O=cdk-codeartifact-token e2e/CN=CodeArtifact repositories']);
      openssl(['x509', '-req', '-sha256', '-days', `${DAYS}`, '-in', path.join(tmp, 'server.csr'),
        '-CA', m.caCertFile, '-CAkey', m.caKeyFile, '-set_serial', `0x${Date.now().toString(16)}`,
        '-extfile', ext, '-out', path.join(tmp, 'server.crt')]);
      fs.renameSync(path.join(tmp, 'server.key'), m.keyFile);
      fs.renameSync(path.join(tmp, 'server.crt'), m.certFile);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  return m;
}

/** A trust store holds no secret: its password only satisfies keytool. */
const JAVA_TRUST_STORE_PASSWORD = 'changeit';

/**
 * The CA as a PKCS12 trust store (`truststore.p12` next to it), made with the JDK's `keytool` and
 * made again when the CA is newer; undefined when there is no `keytool`.
 */
export function ensureJavaTrustStore(material: TlsMaterial): string | undefined {
  const store = path.join(path.dirname(material.caCertFile), 'truststore.p12');
  const stale = !fs.existsSync(store) || fs.statSync(store).mtimeMs < fs.statSync(material.caCertFile).mtimeMs;
  if (!stale) return store;
  const tmp = `${store}.${process.pid}.tmp`;
  try {
    execFileSync('keytool', ['-importcert', '-noprompt', '-alias', 'cdk-codeartifact-token-local-ca', '-file', material.caCertFile,
      '-keystore', tmp, '-storetype', 'PKCS12', '-storepass', JAVA_TRUST_STORE_PASSWORD], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`keytool failed: ${(e as { stderr?: Buffer }).stderr?.toString().trim() || (e as Error).message}`);
  }
  fs.renameSync(tmp, store);
  return store;
}

function readCert(file: string): X509Certificate | undefined {
  try {
    return new X509Certificate(fs.readFileSync(file));
  } catch {
    return undefined;
  }
}

function fresh(cert: X509Certificate): boolean {
  return Date.parse(cert.validFrom) <= Date.now() && Date.parse(cert.validTo) - Date.now() > MIN_REMAINING_MS;
}

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, OPENSSL_CONF: '/dev/null' } });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`openssl ${args[0]} failed: ${err.stderr?.toString().trim() || err.message}`);
  }
}

export class RepositoryProxy implements Watchable {
  public static async start(options: RepositoryProxyOptions): Promise<RepositoryProxy> {
    const material = ensureTlsMaterial(options.regions, options.tlsDir);
    const proxy = new RepositoryProxy(options, material, ensureJavaTrustStore(material));
    proxy.tlsPort = await listenLocal(proxy.tlsServer);
    proxy.url = `http://127.0.0.1:${await listenLocal(proxy.proxyServer)}`;
    return proxy;
  }

  /** The proxy, `http://127.0.0.1:PORT`: what `HTTPS_PROXY` is set to. */
  public url = '';
  /** Every CONNECT and every plain proxied request, in order. */
  public readonly connects: ProxyConnect[] = [];
  /** Every request that went through a tunnel, in order. */
  public readonly forwarded: ForwardedRequest[] = [];
  /** Every connection the proxy opened, as `host:port`: only ever `127.0.0.1:tlsPort`. */
  public readonly dials: string[] = [];
  /** The port of the local TLS server the tunnels lead to. */
  public tlsPort = 0;
  private readonly tlsServer: https.Server;
  private readonly proxyServer: http.Server;
  private readonly tunnels = new Set<net.Socket>();
  /** What the proxy saw, one line an event, in order: see `watch`. */
  private readonly events: string[] = [];

  private constructor(
    private readonly options: RepositoryProxyOptions,
    public readonly material: TlsMaterial,
    /** The CA as a PKCS12 trust store for the JVM (mvn), when `keytool` is on PATH. */
    public readonly javaTrustStore: string | undefined,
  ) {
    const credentials = { cert: fs.readFileSync(material.certFile), key: fs.readFileSync(material.keyFile) };
    this.tlsServer = https.createServer(credentials, (req, res) => this.forward(req, res));
    // Idle client connections stay open for a minute, not node's 5 s: a client that stalls between two
    // requests on a loaded machine (npm between the packument and the tarball) must not find its
    // connection closing under its next request. Clients learn the limit from the Keep-Alive header.
    this.tlsServer.keepAliveTimeout = 60_000;
    this.proxyServer = http.createServer((req, res) => this.refusePlain(req, res));
    this.proxyServer.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => this.connect(req, socket, head));
    // A client that does not trust the CA, or gives up mid-handshake, fails here and nowhere else.
    this.tlsServer.on('tlsClientError', (err) => this.note(`TLS handshake with a client failed: ${err.message}`));
    this.proxyServer.on('clientError', (err) => this.note(`a client sent the proxy a bad request: ${err.message}`));
  }

  /**
   * Starts watching: the returned function gives what the proxy saw since (each CONNECT and its
   * answer, each request through a tunnel with its status and the repositories' decision and reason,
   * failed TLS handshakes, broken tunnels), so that a client run that failed can say what reached the
   * repositories and why it was answered as it was. Lines never hold credentials (they travel in
   * headers, which are not traced).
   */
  public watch(): () => string[] {
    const from = this.events.length;
    return () => this.events.slice(from);
  }

  /**
   * What a user behind this proxy sets so that npm, pip, twine and curl use it and trust its CA (and
   * node, which trusts it, but whose own `https` and `fetch` ignore proxy variables before Node 24):
   *
   * - `HTTPS_PROXY`/`https_proxy`: npm 11, pip, twine (requests) and curl each take either spelling.
   *   `HTTP_PROXY`/`http_proxy` too, so that a plain `http://` request is refused here, not sent out.
   * - `NO_PROXY`/`no_proxy` `127.0.0.1,localhost`: the local AWS endpoints (moto, ...) stay direct.
   * - the CA: `NODE_EXTRA_CA_CERTS` (node, and npm, which is enough alone) or `npm_config_cafile`
   *   (npm's `cafile`, also enough alone: it replaces npm's CA list); `PIP_CERT` or
   *   `REQUESTS_CA_BUNDLE` for pip; `REQUESTS_CA_BUNDLE` for twine (PIP_CERT does not reach it);
   *   `SSL_CERT_FILE` for curl and uv (neither requests nor pip read it: they use certifi);
   *   `REQUESTS_CA_BUNDLE` also for Poetry (requests).
   * - Yarn 2 and later read neither the proxy variables nor node's CA: `YARN_HTTPS_PROXY` and
   *   `YARN_HTTP_PROXY` (its `httpsProxy`/`httpProxy` settings) and `YARN_HTTPS_CA_FILE_PATH`
   *   (`httpsCaFilePath`). Without them it would look the real host name up in DNS and go there.
   * - Cargo: `HTTPS_PROXY`/`https_proxy` as well, and `CARGO_HTTP_CAINFO` for the CA (The Cargo Book,
   *   "Configuration": `http.proxy` and `http.cainfo`, and their environment variables).
   * - mvn: `MAVEN_OPTS` (see `javaOptions`).
   */
  public clientEnvironment(): Record<string, string> {
    const ca = this.material.caCertFile;
    return {
      CARGO_HTTP_CAINFO: ca,
      ...(this.javaTrustStore ? { MAVEN_OPTS: this.javaOptions().join(' ') } : {}),
      HTTPS_PROXY: this.url,
      https_proxy: this.url,
      HTTP_PROXY: this.url,
      http_proxy: this.url,
      NO_PROXY: '127.0.0.1,localhost',
      no_proxy: '127.0.0.1,localhost',
      NODE_EXTRA_CA_CERTS: ca,
      npm_config_cafile: ca,
      PIP_CERT: ca,
      REQUESTS_CA_BUNDLE: ca,
      SSL_CERT_FILE: ca,
      YARN_HTTPS_PROXY: this.url,
      YARN_HTTP_PROXY: this.url,
      YARN_HTTPS_CA_FILE_PATH: ca,
    };
  }

  /**
   * The JVM's system properties for this proxy: Java reads no proxy environment variable, but its
   * own `https.proxyHost`/`https.proxyPort` (and `http.*`) (Java networking properties), which
   * Maven 3.8's HTTP transport honours; and a trust store holding the local CA
   * (`javax.net.ssl.trustStore`, JSSE reference guide), in place of the JDK's `cacerts`.
   */
  public javaOptions(): string[] {
    if (!this.javaTrustStore) throw new Error('no Java trust store: keytool (from a JDK) is not on PATH');
    const { hostname, port } = new URL(this.url);
    return [
      `-Dhttps.proxyHost=${hostname}`, `-Dhttps.proxyPort=${port}`, `-Dhttp.proxyHost=${hostname}`, `-Dhttp.proxyPort=${port}`,
      `-Djavax.net.ssl.trustStore=${this.javaTrustStore}`, '-Djavax.net.ssl.trustStoreType=PKCS12',
      `-Djavax.net.ssl.trustStorePassword=${JAVA_TRUST_STORE_PASSWORD}`,
    ];
  }

  public async stop(): Promise<void> {
    for (const s of this.tunnels) s.destroy();
    await Promise.all([close(this.proxyServer), close(this.tlsServer)]);
  }

  private note(line: string): void {
    this.events.push(`${clock()} proxy: ${line}`);
  }

  private connect(req: http.IncomingMessage, client: net.Socket, head: Buffer): void {
    const target = /^\[?([^\]]+?)\]?:(\d+)$/.exec(req.url ?? '');
    const host = target?.[1] ?? req.url ?? '';
    const port = Number(target?.[2] ?? 0);
    const allowed = port === 443 && isRepositoryHost(host, this.options.regions);
    this.connects.push({ method: 'CONNECT', host, port, allowed });
    this.note(`CONNECT ${host}:${port} ${allowed ? 'tunnelled to the local TLS server' : 'refused 403 (not a repository host on 443)'}`);
    client.on('error', (err) => this.note(`CONNECT ${host}:${port}: the client's socket failed: ${err.message}`));
    if (!allowed) {
      const body = `CONNECT ${req.url} refused: only CodeArtifact repository hosts of ${this.options.regions.join(', ')} on port 443\n`;
      client.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
      return;
    }
    // Never the requested host: always the local TLS server.
    const upstream = net.connect(this.tlsPort, '127.0.0.1');
    this.dials.push(`127.0.0.1:${this.tlsPort}`);
    this.tunnels.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.tunnels.delete(client);
      this.tunnels.delete(upstream);
    };
    upstream.on('error', (err) => {
      this.note(`CONNECT ${host}:${port}: the tunnel to the local TLS server failed: ${err.message}`);
      drop();
    }).on('close', drop);
    client.on('close', drop);
    upstream.on('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }

  private refusePlain(req: http.IncomingMessage, res: http.ServerResponse): void {
    let host = req.headers.host ?? '';
    let port = 80;
    try {
      const u = new URL(req.url ?? '');
      host = u.hostname;
      port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
    } catch {
      // not an absolute URL: a request for the proxy itself
    }
    this.connects.push({ method: req.method ?? 'GET', host, port, allowed: false });
    this.note(`${req.method ?? 'GET'} ${host}:${port} (a plain proxied request) refused 403`);
    const body = 'plain proxied requests are refused: only CONNECT to CodeArtifact repository hosts\n';
    res.writeHead(403, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body), 'connection': 'close' });
    res.end(body);
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    const method = req.method ?? 'GET';
    const sni = (req.socket as tls.TLSSocket).servername || '';
    const host = (req.headers.host ?? sni).replace(/:\d+$/, '').toLowerCase();
    const pathname = req.url ?? '/';
    const fail = (status: number, message: string) => {
      this.forwarded.push({ method, host, path: pathname.split('?')[0], status });
      this.note(`${method} https://${host}${pathname.split('?')[0]} -> ${status} from the proxy: ${message}`);
      res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(message) + 1 });
      res.end(`${message}\n`);
    };
    if (!isRepositoryHost(host, this.options.regions) || (sni && sni.toLowerCase() !== host)) {
      return fail(421, `not a repository host of this proxy: ${host}`);
    }
    let local: URL;
    try {
      local = new URL(this.options.target.localEndpoint(`https://${host}${pathname}`));
    } catch (e) {
      return fail(502, (e as Error).message);
    }
    const headers: http.OutgoingHttpHeaders = {};
    const listed = new Set(String(req.headers.connection ?? '').toLowerCase().split(',').map((h) => h.trim()));
    for (const [k, v] of Object.entries(req.headers)) {
      if (!HOP_BY_HOP.has(k) && !listed.has(k) && v !== undefined) headers[k] = v;
    }
    headers.host = local.host;
    headers['x-forwarded-host'] = host;
    headers['x-forwarded-proto'] = 'https';
    headers['x-forwarded-for'] = req.socket.remoteAddress ?? '127.0.0.1';
    // agent: false, a new loopback connection per request: with a kept-alive one (node's global agent
    // keeps them 5 s, as long as the repositories' server does), a request that arrives after this
    // process stalled that long can be written to a connection one side is closing, and fail as a 502.
    const upstream = http.request({ host: '127.0.0.1', port: local.port, method, path: `${local.pathname}${local.search}`, headers, agent: false }, (answer) => {
      const out: http.OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(answer.headers)) if (!HOP_BY_HOP.has(k) && k !== DECISION_HEADER && v !== undefined) out[k] = v;
      this.forwarded.push({ method, host, path: pathname.split('?')[0], status: answer.statusCode ?? 502 });
      const decision = answer.headers[DECISION_HEADER];
      this.note(`${method} https://${host}${pathname.split('?')[0]} -> ${answer.statusCode}${typeof decision === 'string' ? ` (${decodeURIComponent(decision)})` : ''}`);
      res.on('close', () => {
        if (!res.writableFinished) this.note(`${method} https://${host}${pathname.split('?')[0]}: the client went away before the whole answer was sent`);
      });
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, out);
      answer.pipe(res);
    });
    upstream.on('error', (e) => {
      if (!res.headersSent) {fail(502, `the repositories did not answer: ${e.message}`);} else {
        this.note(`${method} https://${host}${pathname.split('?')[0]}: the repositories' answer broke off: ${e.message}`);
        res.destroy();
      }
    });
    req.pipe(upstream);
  }
}

function listenLocal(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}
