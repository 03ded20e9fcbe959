// Starts the real `redress serve` binary on a fresh SQLite database in a temporary directory, reads the first
// administrator's password and the port from its standard output, and stops it again.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const binary = process.env.REDRESS_BIN ?? join(repoRoot, 'target', 'debug', 'redress');

/**
 * Starts a server (`env` adds variables, e.g. `{ REDRESS_TODAY: '2026-06-05' }` to serve as of a fixed day).
 * Resolves to `{ baseUrl, adminEmail, adminPassword, apiToken, databaseUrl, addUser, api, stop }`.
 */
export async function startServer({ timeoutMs = 60_000, env = {} } = {}) {
  if (!existsSync(binary)) {
    throw new Error(`${binary} is missing: build it first with \`cargo build -p redress\` (browser-tests/run.sh does)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'redress-browser-'));
  const databaseUrl = `sqlite://${join(dir, 'redress.db')}`;
  const child = spawn(binary, ['serve', '--database-url', databaseUrl, '--bind', '127.0.0.1:0'], {
    cwd: dir,
    env: { ...process.env, REDRESS_LOG: process.env.REDRESS_LOG ?? 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  child.stdout.setEncoding('utf8');

  const started = await new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redress serve did not start within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.stdout.on('data', (d) => {
      stdout += d;
      const listening = stdout.match(/Redress is listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (listening) {
        clearTimeout(timer);
        const email = stdout.match(/^\s*Sign in as:\s+(\S+)/m);
        const password = stdout.match(/^\s*Password:\s+(\S+)/m);
        const token = stdout.match(/^\s*API token:\s+(\S+)/m);
        if (!email || !password) {
          child.kill('SIGKILL');
          reject(new Error(`no first administrator in the output of redress serve:\n${stdout}`));
          return;
        }
        resolvePromise({
          baseUrl: listening[1],
          adminEmail: email[1],
          adminPassword: password[1],
          apiToken: token?.[1],
        });
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`redress serve exited (${code ?? signal}) before listening\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    });
  });

  let stopped = false;
  return {
    ...started,
    databaseUrl,
    /** Adds a staff user through the command line (SQLite in WAL mode lets it write while the server runs). */
    addUser({ email, name, role, password }) {
      const r = spawnSync(
        binary,
        ['user', 'add', '--database-url', databaseUrl, '--email', email, '--name', name, '--role', role],
        { input: `${password}\n`, encoding: 'utf8', cwd: dir },
      );
      if (r.status !== 0) {
        throw new Error(`redress user add failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
      }
      return { email, name, role, password };
    },
    /** Calls the JSON API with the first administrator's token; resolves to the parsed body, throwing on 4xx/5xx. */
    async api(method, path, body) {
      const response = await fetch(`${started.baseUrl}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${started.apiToken}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
      return text ? JSON.parse(text) : null;
    },
    /** Stops the server with SIGTERM (graceful shutdown), then removes its directory. */
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
