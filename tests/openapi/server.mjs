// Starts the real jim-edge binary on a free loopback port with a temporary data dir, for the OpenAPI tests.
// With JIM_TEST_STORE=postgresql the server runs on the PostgreSQL backend instead, each start on a fresh
// database of the cluster in JIM_TEST_DATABASE_URL (scripts/test.sh starts one), dropped again by stop().
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function psql(url, sql) {
  const r = spawnSync('psql', ['-qAt', url, '-c', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql ${sql}: ${r.stderr || r.error}`);
}

// The store arguments of one server: a data dir of its own, or a fresh PostgreSQL database.
function storeFor(dataDir) {
  if (process.env.JIM_TEST_STORE !== 'postgresql') {
    return { args: ['--data-dir', join(dataDir, 'data'), '--durability', 'relaxed'], drop() {} };
  }
  const admin = process.env.JIM_TEST_DATABASE_URL;
  if (!admin) skip('JIM_TEST_DATABASE_URL is not set: the PostgreSQL backend is NOT tested (scripts/test.sh sets it)');
  const name = `openapi_${process.pid}_${randomBytes(3).toString('hex')}`;
  psql(admin, `CREATE DATABASE ${name}`);
  const url = admin.slice(0, admin.lastIndexOf('/') + 1) + name;
  return {
    args: ['--store', 'postgresql', '--database-url', url, '--data-dir', join(dataDir, 'data')],
    drop() { psql(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); },
  };
}

export async function startServer(binary, extraArgs = []) {
  const dataDir = mkdtempSync(join(tmpdir(), 'jim-openapi-'));
  const adminKey = 'jim_ak_' + randomBytes(32).toString('hex');
  const store = storeFor(dataDir);
  const child = spawn(
    binary,
    ['serve', '--host', '127.0.0.1', '--port', '0', ...store.args, '--threads', '4', ...extraArgs],
    { env: { ...process.env, JIM_INFRASTRUCTURE_API_KEY: adminKey }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const listening = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not report its address within 20 s:\n' + log)), 20000);
    const onData = (chunk) => {
      log += chunk.toString();
      const m = log.match(/address=https?:\/\/[^\s:]+:(\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code} before listening:\n${log}`));
    });
  });
  let port;
  try {
    port = await listening;
  } catch (e) {
    store.drop();
    throw e;
  }
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    port,
    adminKey,
    pid: child.pid,
    log: () => log,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        process.kill(child.pid, 'SIGTERM');
        const killer = setTimeout(() => child.exitCode === null && process.kill(child.pid, 'SIGKILL'), 10000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dataDir, { recursive: true, force: true });
      store.drop();
    },
  };
}

// Exit code 77 is the ctest SKIP_RETURN_CODE of these tests.
export function skip(reason) {
  console.log(`SKIPPED: ${reason}`);
  process.exit(77);
}
