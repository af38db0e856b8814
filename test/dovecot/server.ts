// A real IMAP server for the test suite: a private Dovecot 2.3 instance on loopback, started from a
// throw-away directory (config, certificate, maildirs, sockets, logs), stopped without leftovers.
//
// Layout of the instance (every path below is inside `dir`):
//   dovecot.conf, passwd          configuration and the passwd-file user database ({PLAIN} passwords)
//   cert.pem, key.pem             self-signed certificate (CN=localhost, SAN IP:127.0.0.1 + DNS:localhost)
//   run/                          base_dir (unix sockets, master.pid)
//   state/                        state_dir
//   dovecot.log                   every log line of the instance
//   mail/<user>/Maildir           personal mail, maildir with LAYOUT=fs: the hierarchy delimiter is "/"
//   public/                       the public namespace's maildir ("Public/" prefix)
//
// Namespaces (all with the "/" delimiter):
//   ""              personal, INBOX plus the special-use folders Drafts, Sent, Trash, Junk, Archive
//                   (auto-created and subscribed)
//   "Other/<user>/" other users' mailboxes shared through ACLs (RFC 2342 "other users" namespace)
//   "Public/"       public folders, readable by everyone ("anyone lrs"); "Public/Announcements" holds mail
//
// When the process runs as root, mail processes run as the dedicated system user `tegami-mail`
// (created with useradd when missing); login and internal processes run as Dovecot's own `dovenull` and
// `dovecot` users. When not root, every Dovecot process runs as the current user, without chroots.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { access, chmod, chown, mkdir, mkdtemp, open, readdir, readFile, rm, stat, statfs, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { aptInstall, canAptInstall } from '../apt.js';

const execFileAsync = promisify(execFile);

export interface DovecotUser {
  user: string;
  password: string;
  email: string;
}

/** What a test needs to reach the server; plain data, so Vitest can hand it to test workers. */
export interface DovecotConnectionInfo {
  host: '127.0.0.1';
  /** Plain IMAP; STARTTLS offered, plaintext LOGIN allowed too (so "no security" can be tested). */
  imapPort: number;
  /** Implicit TLS (IMAPS). */
  imapsPort: number;
  /** Plain IMAP on a login service that does not offer STARTTLS (ssl=no for that service only). */
  noStarttlsPort: number;
  users: DovecotUser[];
  /** The self-signed certificate the server presents, PEM. */
  certPem: string;
  /** SHA-256 fingerprint of certPem, as X509Certificate#fingerprint256 prints it (AA:BB:…). */
  certFingerprint256: string;
  /** The instance's config, so a test worker can run `doveadm -c configPath …` (e.g. kick a user). */
  configPath: string;
}

export interface DovecotServer extends DovecotConnectionInfo {
  /** The temp dir holding config, maildirs, sockets and logs. */
  dir: string;
  /** The Dovecot config file, for `doveadm -c`. */
  configPath: string;
  /** The log file every Dovecot process writes to. */
  logPath: string;
  /** Hierarchy delimiter of every namespace. */
  delimiter: '/';
  /** Namespace prefixes: personal "", other users "Other/<user>/", public "Public/". */
  namespaces: { personal: ''; otherUsers: 'Other/'; public: 'Public/' };
  /** PID of the Dovecot master process. */
  pid: number;
  /** uid/gid that owns the mail files (the mail processes run as this user). */
  mailUid: number;
  mailGid: number;
  /** Adds a user (password `password-<name>` unless given); Dovecot re-reads the passwd-file. */
  addUser(name: string, password?: string): Promise<DovecotUser>;
  /** Runs doveadm against this instance (stdin: `input`, or empty); resolves with stdout, rejects with stderr and the log tail. */
  doveadm(args: string[], input?: string | Buffer): Promise<string>;
  /** Last lines of the Dovecot log, for error messages. */
  logTail(lines?: number): Promise<string>;
  /** Stops Dovecot, waits until every one of its processes is gone, removes dir (unless TEGAMI_KEEP_DOVECOT=1). */
  stop(): Promise<void>;
}

export interface StartDovecotOptions {
  /** User names to create; default ['alice', 'bob']. */
  users?: string[];
  /** Storage quota per user in MiB; default 100. */
  quotaMb?: number;
}

const MAIL_USER = 'tegami-mail';
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;
const PORT_ATTEMPTS = 4;

export const dovecotBinaryCandidates = ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot', '/opt/homebrew/sbin/dovecot'];

export function passwordFor(user: string): string {
  return `password-${user}`;
}

function userFor(name: string, password = passwordFor(name)): DovecotUser {
  if (!/^[a-z][a-z0-9._-]{0,31}$/.test(name)) throw new Error(`Invalid test user name ${JSON.stringify(name)}`);
  if (/[:\s]/.test(password)) throw new Error('Test passwords must not contain ":" or whitespace (passwd-file format)');
  return { user: name, password, email: `${name}@tegami.test` };
}

async function findBinary(name: 'dovecot' | 'doveadm'): Promise<string | undefined> {
  const candidates =
    name === 'dovecot'
      ? [...dovecotBinaryCandidates]
      : dovecotBinaryCandidates.map((p) => path.join(path.dirname(p).replace(/sbin$/, 'bin'), 'doveadm'));
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) if (dir) candidates.push(path.join(dir, name));
  for (const candidate of candidates) {
    try {
      const s = await stat(candidate);
      if (s.isFile() && (s.mode & 0o111) !== 0) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * Finds the dovecot binary. When it is missing and the process runs as root, installs Debian's
 * dovecot-imapd with apt-get; otherwise returns the one-line command that installs it.
 */
export async function dovecotAvailable(): Promise<{ ok: true; binary: string } | { ok: false; hint: string }> {
  const found = await findBinary('dovecot');
  if (found && (await findBinary('doveadm'))) return { ok: true, binary: found };
  const hint = 'Dovecot is not installed. Install it with: sudo apt-get install -y dovecot-imapd';
  if (!canAptInstall()) return { ok: false, hint };
  try {
    // The package enables and may start the system-wide Dovecot; ours never uses its config or ports.
    await aptInstall('dovecot-imapd');
  } catch (err) {
    return { ok: false, hint: `${hint}\n(apt-get failed: ${errorText(err)})` };
  }
  const installed = await findBinary('dovecot');
  return installed ? { ok: true, binary: installed } : { ok: false, hint };
}

/** Runs a command with `input` (or nothing) on stdin; resolves with stdout, rejects with the exit status and stderr. */
function run(binary: string, args: string[], input?: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(binary, args, { maxBuffer: 256 << 20, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(err, { stderr }));
      else resolve(stdout);
    });
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input ?? '');
  });
}

function errorText(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { stderr?: unknown; message?: unknown };
    const stderr = typeof e.stderr === 'string' ? e.stderr.trim() : '';
    const message = typeof e.message === 'string' ? e.message : String(err);
    return stderr && !message.includes(stderr) ? `${message}\n${stderr}` : message;
  }
  return String(err);
}

async function ensureSystemUser(name: string): Promise<{ uid: number; gid: number }> {
  const lookup = async (): Promise<{ uid: number; gid: number } | undefined> => {
    try {
      const [uid, gid] = await Promise.all([execFileAsync('id', ['-u', name]), execFileAsync('id', ['-g', name])]);
      return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
    } catch {
      return undefined;
    }
  };
  const existing = await lookup();
  if (existing) return existing;
  try {
    await execFileAsync('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--home-dir',
      '/nonexistent',
      '--shell',
      '/usr/sbin/nologin',
      name,
    ]);
  } catch (err) {
    // Another test process may have created it at the same moment; only fail if it still does not exist.
    const raced = await lookup();
    if (raced) return raced;
    throw new Error(`Could not create the system user ${name}: ${errorText(err)}`, { cause: err });
  }
  const created = await lookup();
  if (!created) throw new Error(`useradd ${name} succeeded but the user cannot be found`);
  return created;
}

interface ProcessIdentity {
  mailUid: number;
  mailGid: number;
  internalUser: string;
  internalGroup: string;
  loginUser: string;
  root: boolean;
}

async function processIdentity(): Promise<ProcessIdentity> {
  if (isRoot()) {
    // Dovecot refuses to run mail processes as root, so mail belongs to a dedicated system user.
    const mail = await ensureSystemUser(MAIL_USER);
    // dovecot/dovenull come with Debian's package; create them if an unusual install lacks them.
    await ensureSystemUser('dovecot');
    await ensureSystemUser('dovenull');
    return { mailUid: mail.uid, mailGid: mail.gid, internalUser: 'dovecot', internalGroup: 'dovecot', loginUser: 'dovenull', root: true };
  }
  const info = os.userInfo();
  const group = (await execFileAsync('id', ['-gn'])).stdout.trim();
  return { mailUid: info.uid, mailGid: info.gid, internalUser: info.username, internalGroup: group, loginUser: info.username, root: false };
}

/** Binds port 0 on loopback to learn free ports; they are released before Dovecot binds them (see the retry). */
async function freePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => resolve());
      });
      const address = server.address();
      if (!address || typeof address === 'string') throw new Error('Could not read the bound port');
      ports.push(address.port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

async function makeCertificate(dir: string): Promise<{ certPath: string; keyPath: string; certPem: string; fingerprint: string }> {
  const certPath = path.join(dir, 'cert.pem');
  const keyPath = path.join(dir, 'key.pem');
  // EC P-256: generated in milliseconds, unlike RSA; every TLS stack we test with accepts it.
  await execFileAsync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    keyPath,
    '-out',
    certPath,
    '-days',
    '3650',
    '-sha256',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-addext',
    'basicConstraints=critical,CA:FALSE',
    '-addext',
    'keyUsage=critical,digitalSignature',
    '-addext',
    'extendedKeyUsage=serverAuth',
  ]);
  await chmod(keyPath, 0o600);
  const certPem = await readFile(certPath, 'utf8');
  return { certPath, keyPath, certPem, fingerprint: new X509Certificate(certPem).fingerprint256 };
}

interface ConfigInput {
  dir: string;
  ports: { imap: number; imaps: number; noStarttls: number };
  id: ProcessIdentity;
  certPath: string;
  keyPath: string;
  quotaMb: number;
}

function dovecotConfig({ dir, ports, id, certPath, keyPath, quotaMb }: ConfigInput): string {
  const p = (...parts: string[]): string => path.join(dir, ...parts);
  // Non-root Dovecot cannot chroot; the services below are the ones chrooted by default that an
  // IMAP-only instance starts.
  const chroot = (name: string): string => (id.root ? name : '');
  return `# Generated by test/dovecot/server.ts: a private, loopback-only test instance.
protocols = imap
listen = 127.0.0.1
base_dir = ${p('run')}
state_dir = ${p('state')}
instance_name = tegami-test-${path.basename(dir)}
log_path = ${p('dovecot.log')}
auth_verbose = yes
login_greeting = Tegami test Dovecot ready.
shutdown_clients = yes

default_internal_user = ${id.internalUser}
default_internal_group = ${id.internalGroup}
default_login_user = ${id.loginUser}
first_valid_uid = ${id.mailUid}
last_valid_uid = ${id.mailUid}
first_valid_gid = ${id.mailGid === 0 ? 0 : 1}

# Plaintext LOGIN is allowed without TLS too (loopback test server: the "no security" mode is tested).
disable_plaintext_auth = no
auth_mechanisms = plain login
# Wrong-password tests must not slow the suite: no delay after a failure (see also anvil below).
auth_failure_delay = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${p('passwd')}
}
userdb {
  driver = passwd-file
  args = username_format=%u ${p('passwd')}
}

ssl = yes
ssl_cert = <${certPath}
ssl_key = <${keyPath}
ssl_min_protocol = TLSv1.2

# LAYOUT=fs: folders are directories and the hierarchy delimiter is "/".
mail_location = maildir:${p('mail')}/%u/Maildir:LAYOUT=fs
mail_fsync = never
mail_plugins = $mail_plugins acl quota

namespace inbox {
  type = private
  separator = /
  prefix =
  inbox = yes
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = subscribe
  }
  mailbox Archive {
    special_use = \\Archive
    auto = subscribe
  }
}

# RFC 2342 "other users" namespace: mailboxes other users shared through ACLs. %%u is the owner;
# INDEXPVT keeps \\Seen private to each reader.
namespace other {
  type = shared
  separator = /
  prefix = Other/%%u/
  location = maildir:${p('mail')}/%%u/Maildir:LAYOUT=fs:INDEXPVT=${p('mail')}/%u/pvt/other/%%u
  subscriptions = no
  list = children
}

# RFC 2342 shared namespace: public folders, one maildir for everybody.
namespace public {
  type = public
  separator = /
  prefix = Public/
  location = maildir:${p('public')}:LAYOUT=fs:INDEXPVT=${p('mail')}/%u/pvt/public
  subscriptions = no
  list = children
}

protocol imap {
  mail_plugins = $mail_plugins imap_acl imap_quota
  imap_idle_notify_interval = 2 mins
}

plugin {
  acl = vfile
  # Lets LIST find the mailboxes other users shared with the logged-in user.
  acl_shared_dict = file:${p('mail', 'shared-mailboxes.db')}
  quota = count:User quota
  quota_vsizes = yes
  quota_rule = *:storage=${quotaMb}M
  quota_grace = 0
}

service imap-login {
  chroot = ${chroot('login')}
  inet_listener imap {
    address = 127.0.0.1
    port = ${ports.imap}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${ports.imaps}
    ssl = yes
  }
}

# A second IMAP login service whose processes run with ssl=no: STARTTLS is not offered on this
# listener only (Dovecot 2.3 has no per-listener ssl setting, but every service binary accepts -o).
service imap-login-nostarttls {
  executable = imap-login -o ssl=no
  protocol = imap
  user = $default_login_user
  chroot = ${chroot('login')}
  inet_listener imap-nostarttls {
    address = 127.0.0.1
    port = ${ports.noStarttls}
  }
}

service anvil {
  chroot = ${id.root ? 'empty' : ''}
  # With this socket unusable the auth process disables its per-IP penalty (a 2-15 s delay of every
  # login from an IP after failed ones), which would otherwise slow every test after a wrong-password test.
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service ipc {
  chroot = ${id.root ? 'empty' : ''}
}

service auth {
  unix_listener auth-userdb {
    mode = 0600
    user = ${id.root ? 'root' : id.internalUser}
  }
}
`;
}

function passwdLine(u: DovecotUser, id: ProcessIdentity, dir: string): string {
  // user:password:uid:gid:gecos:home:shell:extra
  return `${u.user}:{PLAIN}${u.password}:${id.mailUid}:${id.mailGid}::${path.join(dir, 'mail', u.user)}::\n`;
}

async function chownTree(target: string, uid: number, gid: number): Promise<void> {
  await chown(target, uid, gid);
  const s = await stat(target);
  if (!s.isDirectory()) return;
  for (const entry of await readdir(target)) await chownTree(path.join(target, entry), uid, gid);
}

const PUBLIC_FOLDER = 'Announcements';
export const publicFolderPath = `Public/${PUBLIC_FOLDER}`;
export const publicFolderMessages = 3;

/** The public folder's mail is written as maildir files before Dovecot starts; Dovecot assigns UIDs on first access. */
async function writePublicMaildir(dir: string): Promise<void> {
  const folder = path.join(dir, 'public', PUBLIC_FOLDER);
  for (const sub of ['cur', 'new', 'tmp']) await mkdir(path.join(folder, sub), { recursive: true });
  // Everyone may list, read and keep their own \\Seen state (INDEXPVT); nobody may change the folder.
  await writeFile(path.join(folder, 'dovecot-acl'), 'anyone lrs\n');
  const base = Date.UTC(2024, 0, 15, 9, 0, 0) / 1000;
  for (let i = 1; i <= publicFolderMessages; i++) {
    const t = base + i * 86_400;
    const body = [
      `From: Tegami Team <team@tegami.test>`,
      `To: everyone@tegami.test`,
      `Subject: Announcement ${i}`,
      `Date: ${new Date(t * 1000).toUTCString().replace('GMT', '+0000')}`,
      `Message-ID: <announcement-${i}@tegami.test>`,
      `MIME-Version: 1.0`,
      `Content-Type: text/plain; charset=utf-8`,
      `Content-Transfer-Encoding: 8bit`,
      ``,
      `Public announcement number ${i}. お知らせ ${i}.`,
      ``,
    ].join('\n');
    const file = path.join(folder, 'cur', `${t}.M${i}P${process.pid}.tegami-seed,S=${Buffer.byteLength(body)}:2,`);
    await writeFile(file, body);
    const handle = await open(file, 'r');
    try {
      await handle.utimes(t, t);
    } finally {
      await handle.close();
    }
  }
}

async function fileTail(file: string, lines: number): Promise<string> {
  try {
    const text = await readFile(file, 'utf8');
    return text
      .split('\n')
      .slice(-lines - 1)
      .join('\n')
      .trim();
  } catch {
    return '(no log)';
  }
}

/** Reads the greeting on a plain port: resolves true on "* OK", false on anything else (refused, closed, no greeting yet). */
function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let data = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('close', () => done(false));
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      if (data.includes('\r\n')) done(data.startsWith('* OK'));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every `intervalMs` until it returns true or `timeoutMs` passes. */
async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 25): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await delay(intervalMs);
  }
}

/**
 * Whether any process of the group is still running. Zombies do not count: once the master is gone
 * its exited children are reparented to PID 1, and an init that does not reap (some containers and
 * VMs) would leave them as zombies forever. Linux: reads /proc; elsewhere: kill(-pgid, 0).
 */
async function groupAlive(pgid: number): Promise<boolean> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = await readFile(`/proc/${entry}/stat`, 'latin1');
    } catch {
      continue; // exited meanwhile
    }
    // pid (comm) state ppid pgrp ...; comm may contain spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[2] === String(pgid) && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

// Best effort for a process that exits without calling stop(): SIGTERM every live instance. The
// watchdog (below) also covers a process that dies without running exit handlers (SIGKILL).
const running = new Map<number, { dir: string }>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pgid of running.keys()) signalGroup(pgid, 'SIGTERM');
  });
}

/**
 * A detached shell that waits for EOF on its stdin, a pipe from this process. It sees EOF only
 * when this process is gone (we kill the watchdog first on a normal stop), and then stops the
 * Dovecot process group and removes the directory.
 */
function startWatchdog(pgid: number, dir: string, keep: boolean): ChildProcess {
  const script = [
    'while read -r _; do :; done',
    // No "--" before the negative pid: dash's kill builtin rejects it.
    'kill -TERM -"$1" 2>/dev/null',
    // Dovecot was started with setsid, so its session id is its pid; zombies (an init that does not reap) do not count.
    'alive() { ps -o stat= -s "$1" 2>/dev/null | grep -qv "^Z"; }',
    'i=0; while alive "$1" && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done',
    'kill -KILL -"$1" 2>/dev/null',
    '[ "$3" = 1 ] || rm -rf -- "$2"',
  ].join('\n');
  const watchdog = spawn('/bin/sh', ['-c', script, 'tegami-dovecot-watchdog', String(pgid), dir, keep ? '1' : '0'], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  watchdog.unref();
  const stdin = watchdog.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null;
  stdin?.unref?.();
  watchdog.on('error', () => undefined);
  return watchdog;
}

/**
 * Where the instance directory goes: $TEGAMI_DOVECOT_TMPDIR, else /dev/shm when it is a writable
 * tmpfs with at least 1 GiB free (creating 50,000 maildir files there is ~15x faster than on a
 * disk-backed /tmp), else os.tmpdir().
 */
async function tempRoot(): Promise<string> {
  const fromEnv = process.env.TEGAMI_DOVECOT_TMPDIR;
  if (fromEnv) return fromEnv;
  if (process.platform === 'linux') {
    try {
      await access('/dev/shm', fsConstants.W_OK);
      const fs = await statfs('/dev/shm');
      if (fs.bavail * fs.bsize >= 1024 ** 3) return '/dev/shm';
    } catch {
      // no usable /dev/shm
    }
  }
  return os.tmpdir();
}

class DovecotStartError extends Error {
  constructor(
    message: string,
    readonly addressInUse: boolean,
  ) {
    super(message);
    this.name = 'DovecotStartError';
  }
}

/** Starts a private Dovecot on loopback. Call stop() when done (or rely on the exit hook and watchdog). */
export async function startDovecot(opts: StartDovecotOptions = {}): Promise<DovecotServer> {
  const available = await dovecotAvailable();
  if (!available.ok) throw new Error(available.hint);
  const doveadmBinary = await findBinary('doveadm');
  if (!doveadmBinary) throw new Error('doveadm not found next to dovecot');
  const id = await processIdentity();
  const names = opts.users ?? ['alice', 'bob'];
  const users = names.map((n) => userFor(n));
  const quotaMb = opts.quotaMb ?? 100;
  if (!Number.isInteger(quotaMb) || quotaMb <= 0) throw new Error(`quotaMb must be a positive integer, got ${String(opts.quotaMb)}`);
  const keep = process.env.TEGAMI_KEEP_DOVECOT === '1';

  const tmpRoot = await tempRoot();
  if (/\s/.test(tmpRoot))
    throw new Error(`Temp dir ${tmpRoot} contains whitespace (not allowed in the Dovecot config); set TEGAMI_DOVECOT_TMPDIR`);
  const dir = await mkdtemp(path.join(tmpRoot, 'tegami-dovecot-'));
  try {
    // Dovecot's auth (internal user) and mail processes (mail user) must traverse the directory.
    await chmod(dir, 0o755);
    for (const sub of ['run', 'state', 'mail', 'public']) await mkdir(path.join(dir, sub));
    const cert = await makeCertificate(dir);
    await writeFile(path.join(dir, 'passwd'), users.map((u) => passwdLine(u, id, dir)).join(''), { mode: 0o644 });
    for (const u of users) await mkdir(path.join(dir, 'mail', u.user));
    await writePublicMaildir(dir);
    if (id.root) {
      await chownTree(path.join(dir, 'mail'), id.mailUid, id.mailGid);
      await chownTree(path.join(dir, 'public'), id.mailUid, id.mailGid);
    }

    let lastError: unknown;
    for (let attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
      const [imap, imaps, noStarttls] = await freePorts(3);
      if (imap === undefined || imaps === undefined || noStarttls === undefined) throw new Error('freePorts returned too few ports');
      const configPath = path.join(dir, 'dovecot.conf');
      await writeFile(
        configPath,
        dovecotConfig({ dir, ports: { imap, imaps, noStarttls }, id, certPath: cert.certPath, keyPath: cert.keyPath, quotaMb }),
      );
      try {
        return await launch({
          binary: available.binary,
          doveadmBinary,
          dir,
          configPath,
          users,
          id,
          keep,
          ports: { imap, imaps, noStarttls },
          certPem: cert.certPem,
          fingerprint: cert.fingerprint,
        });
      } catch (err) {
        lastError = err;
        // Another process took one of the ports between our probe and Dovecot's bind: new ports.
        if (err instanceof DovecotStartError && err.addressInUse && attempt < PORT_ATTEMPTS) continue;
        throw err;
      }
    }
    throw lastError;
  } catch (err) {
    if (!keep) await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

interface LaunchInput {
  binary: string;
  doveadmBinary: string;
  dir: string;
  configPath: string;
  users: DovecotUser[];
  id: ProcessIdentity;
  keep: boolean;
  ports: { imap: number; imaps: number; noStarttls: number };
  certPem: string;
  fingerprint: string;
}

async function launch(input: LaunchInput): Promise<DovecotServer> {
  const { binary, doveadmBinary, dir, configPath, users, id, keep, ports } = input;
  const logPath = path.join(dir, 'dovecot.log');
  await writeFile(logPath, '');
  // -F: foreground, so the master is our child and we learn its exit; detached: its own process
  // group (pgid = pid), so a terminal's Ctrl-C does not reach it and stop() can wait for the group.
  const master = spawn(binary, ['-F', '-c', configPath], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  master.stderr?.setEncoding('utf8');
  master.stderr?.on('data', (chunk: string) => {
    if (stderr.length < 64_000) stderr += chunk;
  });
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    master.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    });
  });
  const spawnError = await new Promise<Error | undefined>((resolve) => {
    master.once('spawn', () => resolve(undefined));
    master.once('error', (err) => resolve(err));
  });
  if (spawnError || master.pid === undefined) throw new Error(`Could not run ${binary}: ${spawnError?.message ?? 'no pid'}`);
  const pid = master.pid;
  running.set(pid, { dir });
  installExitHook();
  const watchdog = startWatchdog(pid, dir, keep);

  const describe = async (what: string): Promise<string> => {
    const log = await fileTail(logPath, 40);
    return `${what}\nDovecot log ${logPath}:\n${log}${stderr.trim() ? `\nstderr:\n${stderr.trim()}` : ''}`;
  };

  let stopping: Promise<void> | undefined;
  const stopProcesses = async (): Promise<void> => {
    watchdog.kill('SIGKILL');
    if (!exited) signalGroup(pid, 'SIGTERM');
    // The master exits after telling its children to stop; wait for the whole process group.
    let gone = await waitFor(async () => exited !== undefined && !(await groupAlive(pid)), STOP_TIMEOUT_MS);
    if (!gone) {
      signalGroup(pid, 'SIGKILL');
      gone = await waitFor(async () => !(await groupAlive(pid)), 2000);
    }
    await exitPromise;
    running.delete(pid);
    if (!gone) throw new Error(await describe(`Dovecot (pid ${pid}) processes did not exit`));
  };

  const ready = await waitFor(
    async () => exited !== undefined || ((await greets(ports.imap)) && (await greets(ports.noStarttls)) && (await accepts(ports.imaps))),
    START_TIMEOUT_MS,
  );
  if (!ready || exited) {
    const why = exited
      ? `Dovecot exited during start (code ${exited.code}, signal ${exited.signal})`
      : `Dovecot did not greet on port ${ports.imap} within ${START_TIMEOUT_MS} ms`;
    await stopProcesses().catch(() => undefined);
    const text = await describe(why);
    const note = keep ? '' : '\n(The directory is removed; set TEGAMI_KEEP_DOVECOT=1 to keep it for inspection.)';
    throw new DovecotStartError(text + note, /Address already in use/i.test(text));
  }
  master.unref();
  (master.stderr as (NodeJS.ReadableStream & { unref?: () => void }) | null)?.unref?.();

  const doveadm = async (args: string[], input?: string | Buffer): Promise<string> => {
    try {
      return await run(doveadmBinary, ['-c', configPath, ...args], input);
    } catch (err) {
      throw new Error(await describe(`doveadm ${args.join(' ')} failed: ${errorText(err)}`), { cause: err });
    }
  };

  const server: DovecotServer = {
    host: '127.0.0.1',
    imapPort: ports.imap,
    imapsPort: ports.imaps,
    noStarttlsPort: ports.noStarttls,
    users,
    certPem: input.certPem,
    certFingerprint256: input.fingerprint,
    dir,
    configPath,
    logPath,
    delimiter: '/',
    namespaces: { personal: '', otherUsers: 'Other/', public: 'Public/' },
    pid,
    mailUid: id.mailUid,
    mailGid: id.mailGid,
    async addUser(name: string, password?: string): Promise<DovecotUser> {
      if (users.some((u) => u.user === name)) throw new Error(`User ${name} already exists`);
      const u = userFor(name, password);
      const home = path.join(dir, 'mail', u.user);
      await mkdir(home);
      if (id.root) await chown(home, id.mailUid, id.mailGid);
      await writeFile(path.join(dir, 'passwd'), passwdLine(u, id, dir), { flag: 'a' });
      // Dovecot re-stats the passwd-file at most once per second: wait until it knows the user.
      const known = await waitFor(
        async () => {
          try {
            await run(doveadmBinary, ['-c', configPath, 'auth', 'test', '-x', 'service=imap', u.user, u.password]);
            return true;
          } catch {
            return false;
          }
        },
        5000,
        100,
      );
      if (!known) throw new Error(await describe(`Dovecot did not pick up the new user ${u.user}`));
      users.push(u);
      return u;
    },
    doveadm,
    logTail: (lines = 40) => fileTail(logPath, lines),
    stop(): Promise<void> {
      stopping ??= (async () => {
        await stopProcesses();
        if (!keep) await rm(dir, { recursive: true, force: true });
        else process.stderr.write(`TEGAMI_KEEP_DOVECOT=1: kept ${dir}\n`);
      })();
      return stopping;
    },
  };
  return server;
}

/** The serializable part of a server, for Vitest's provide()/inject(). */
export function connectionInfo(server: DovecotServer): DovecotConnectionInfo {
  return {
    host: server.host,
    imapPort: server.imapPort,
    imapsPort: server.imapsPort,
    noStarttlsPort: server.noStarttlsPort,
    users: server.users.map((u) => ({ ...u })),
    certPem: server.certPem,
    certFingerprint256: server.certFingerprint256,
    configPath: server.configPath,
  };
}
