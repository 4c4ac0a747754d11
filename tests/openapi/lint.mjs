// openapi_lint: the document the server serves is byte-for-byte http/openapi/v1.json, and it passes two
// independent OpenAPI validators: Redocly's linter (@redocly/openapi-core, the engine of `redocly lint`,
// with its recommended ruleset, every rule an error) and the official OpenAPI 3.1 JSON Schema
// (@seriousme/openapi-schema-validator).
//
// It also reads the route table from the binary (`jim-edge routes --json`, the table the server registers) and
// requires the document's operations to be exactly its routes.
//
//   node lint.mjs <path of http/openapi/v1.json> <path of the jim-edge binary>
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { skip, startServer } from './server.mjs';

const [sourcePath, binary] = process.argv.slice(2);
if (!sourcePath || !binary) {
  console.error('usage: node lint.mjs <v1.json> <jim-edge binary>');
  process.exit(2);
}

let redocly, seriousme;
try {
  redocly = await import('@redocly/openapi-core');
  seriousme = await import('@seriousme/openapi-schema-validator');
} catch (e) {
  skip(`the npm validators are not installed (run scripts/setup.sh, or npm ci in tests/openapi): ${e.message}`);
}

const failures = [];
const source = readFileSync(sourcePath, 'utf8');

// 1. What the binary serves is the committed file, and its version is the binary's.
const server = await startServer(binary);
let served;
try {
  const res = await fetch(`${server.base}/api/openapi/v1.json`);
  served = await res.text();
  if (res.status !== 200) failures.push(`GET /api/openapi/v1.json answered ${res.status}`);
  if (!(res.headers.get('content-type') || '').startsWith('application/json'))
    failures.push(`GET /api/openapi/v1.json has Content-Type ${res.headers.get('content-type')}`);
  if (served !== source) failures.push('the served document differs from http/openapi/v1.json (rebuild the binary)');
  const version = await (await fetch(`${server.base}/api/v1/health/version`)).json();
  const infoVersion = JSON.parse(served).info?.version;
  if (infoVersion !== version.version)
    failures.push(`info.version ${infoVersion} is not the server's version ${version.version}`);
} finally {
  await server.stop();
}
console.log(`served document: ${served.length} bytes, ${served === source ? 'identical to' : 'DIFFERENT from'} ${sourcePath}`);

// 2. Redocly lint, recommended ruleset with warnings counted as failures, less these deliberate exceptions.
const ACCEPTED = [
  // The project has not chosen a license; the document does not invent one.
  { ruleId: 'info-license', pointer: '#/info' },
  // 405 can be answered on every path for the methods it does NOT have, so no operation can reference it;
  // the document describes it once, and openapi_responses checks real 405 answers against it.
  { ruleId: 'no-unused-components', pointer: '#/components/responses/MethodNotAllowed' },
  // JIM's change-history route of a connector definition has the shape of by-name/{name}; they never meet:
  // connectorDefinitionId is an integer and "by-name" is not (the router's {int} segment).
  {
    ruleId: 'no-ambiguous-paths',
    pointer: '#/paths/~1api~1v1~1synchronisation~1connector-definitions~1{connectorDefinitionId}~1change-history',
  },
];
const config = await redocly.createConfig({ extends: ['recommended'] });
const allProblems = await redocly.lintFromString({ source: served, absoluteRef: sourcePath, config });
const accepted = (p) =>
  ACCEPTED.some((a) => a.ruleId === p.ruleId && (p.location || []).some((l) => l.pointer === a.pointer));
const problems = allProblems.filter((p) => !accepted(p));
for (const p of allProblems.filter(accepted)) console.log(`accepted: [${p.ruleId}] ${p.message}`);
for (const p of problems) {
  const where = (p.location || []).map((l) => l.pointer).filter(Boolean).join(', ');
  failures.push(`redocly ${p.severity} [${p.ruleId}] ${p.message}${where ? ` at ${where}` : ''}`);
}
console.log(`redocly lint (@redocly/openapi-core, recommended): ${problems.length} problem(s)`);

// 3. The official OpenAPI 3.1 schema.
const validator = new seriousme.Validator();
const result = await validator.validate(JSON.parse(served));
if (!result.valid) {
  for (const e of [].concat(result.errors || [])) failures.push(`openapi-schema-validator: ${JSON.stringify(e)}`);
}
console.log(`openapi-schema-validator (OpenAPI ${validator.version} schema): ${result.valid ? 'valid' : 'INVALID'}`);

// 4. The document's operations are exactly the routes of the binary (path parameters compared by position).
const normalise = (route) => route.replace(/\{[^}]*\}/g, '{}').toLowerCase();
const table = JSON.parse(execFileSync(binary, ['routes', '--json'], { encoding: 'utf8' }));
const routes = new Set(table.map((r) => normalise(`${r.method} ${r.pattern}`)));
const documented = new Set();
for (const [path, item] of Object.entries(JSON.parse(served).paths))
  for (const method of ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'])
    if (item[method]) documented.add(normalise(`${method.toUpperCase()} ${path}`));
for (const r of routes) if (!documented.has(r)) failures.push(`route ${r} of the binary is not in the document`);
for (const d of documented) if (!routes.has(d)) failures.push(`operation ${d} of the document is not a route of the binary`);
console.log(`route table: ${routes.size} routes in jim-edge routes --json, ${documented.size} operations in the document`);

if (failures.length) {
  console.log(`FAILED: ${failures.length} problem(s):`);
  for (const f of failures) console.log(`  - ${f}`);
  process.exit(1);
}
console.log('openapi_lint: the served document equals the source file and passes both validators');
