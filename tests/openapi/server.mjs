// Starts the real jim-edge binary on a free loopback port with a temporary data dir, for the OpenAPI tests.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function startServer(binary, extraArgs = []) {
  const dataDir = mkdtempSync(join(tmpdir(), 'jim-openapi-'));
  const adminKey = 'jim_ak_' + randomBytes(32).toString('hex');
  const child = spawn(
    binary,
    ['serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', join(dataDir, 'data'), '--durability', 'relaxed',
      '--threads', '4', ...extraArgs],
    { env: { ...process.env, JIM_INFRASTRUCTURE_API_KEY: adminKey }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const port = await new Promise((resolve, reject) => {
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
    },
  };
}

// Exit code 77 is the ctest SKIP_RETURN_CODE of these tests.
export function skip(reason) {
  console.log(`SKIPPED: ${reason}`);
  process.exit(77);
}
