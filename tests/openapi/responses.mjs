// openapi_responses: real answers of the real server checked against the OpenAPI document, so the document
// cannot drift from the server. It starts the binary, makes the calls the e2e suite makes on every route of
// the document (creates, lists, gets, updates, deletes, and the 400/401/403/404/405/409/411/412/413/415/429
// error cases), and for each answer:
//   - finds the document's operation by method and path template (a call that matches none is a failure,
//     except the deliberate unknown-route and wrong-method calls, checked against components/responses);
//   - requires the status to be documented for that operation;
//   - validates the body with ajv against the schema of that status and media type (204: no body);
//   - requires each header the document marks required, and validates every documented header it finds;
//   - for a 2xx answer to a request with a JSON body, validates that body against the requestBody schema
//     (so the document is never stricter than the server).
// At the end every operation of the document must have been called, and got its documented 2xx.
//
//   node responses.mjs <path of http/openapi/v1.json> <path of the jim-edge binary>
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { skip, startServer } from './server.mjs';

const [docPath, binary] = process.argv.slice(2);
if (!docPath || !binary) {
  console.error('usage: node responses.mjs <v1.json> <jim-edge binary>');
  process.exit(2);
}

let Ajv2020, addFormats;
try {
  Ajv2020 = (await import('ajv/dist/2020.js')).default;
  addFormats = (await import('ajv-formats')).default;
} catch (e) {
  skip(`ajv is not installed (run scripts/setup.sh, or npm ci in tests/openapi): ${e.message}`);
}

const doc = JSON.parse(readFileSync(docPath, 'utf8'));

// ---- schemas: every component schema in one ajv schema, refs rewritten to point into it.
const SCHEMA_ID = 'urn:jim-edge:openapi';
function rewriteRefs(node) {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node && typeof node === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(node)) {
      out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')
        ? `${SCHEMA_ID}#/$defs/${v.slice('#/components/schemas/'.length)}`
        : rewriteRefs(v);
    }
    return out;
  }
  return node;
}
const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: SCHEMA_ID, $defs: rewriteRefs(doc.components.schemas) });
const compiled = new Map();
const schemaErrors = [];
function validatorFor(schema) {
  const key = JSON.stringify(schema);
  if (!compiled.has(key)) {
    try {
      compiled.set(key, ajv.compile(rewriteRefs(schema)));
    } catch (e) {
      // A schema the validator cannot compile is a defect of the document: report it, accept nothing with it.
      schemaErrors.push(`${e.message} in ${key.slice(0, 200)}`);
      const reject = () => false;
      reject.errors = [{ instancePath: '', message: `(schema does not compile: ${e.message})`, params: {} }];
      compiled.set(key, reject);
    }
  }
  return compiled.get(key);
}
function resolve(obj) {
  // Follows a local $ref (#/components/...) to the object it names.
  let seen = 0;
  while (obj && obj.$ref) {
    if (++seen > 10) throw new Error(`$ref loop at ${obj.$ref}`);
    obj = obj.$ref.slice(2).split('/').reduce((o, k) => o?.[k], doc);
  }
  return obj;
}

// ---- operations of the document, matched by method and path template.
const operations = [];
for (const [template, item] of Object.entries(doc.paths)) {
  for (const method of ['get', 'put', 'post', 'delete', 'patch', 'options', 'head']) {
    if (!item[method]) continue;
    const pattern = new RegExp('^' + template.replace(/\{[^}]+\}/g, '[^/]+').replace(/\./g, '\\.') + '$', 'i');
    operations.push({ method: method.toUpperCase(), template, pattern, op: item[method] });
  }
}
function findOperation(method, path) {
  const bare = path.split('?')[0];
  return operations.find((o) => o.method === method && o.pattern.test(bare));
}

// ---- HTTP: fetch for ordinary calls, a raw socket for the requests fetch cannot send.
let base = '';
let adminKey = '';
const mismatches = [];
const covered = new Map(); // operationId -> Set of statuses seen
let calls = 0;

async function http(method, path, { body, key = adminKey, headers = {}, rawBody } = {}) {
  const h = { ...headers };
  if (key) h['X-Api-Key'] = key;
  let payload;
  if (rawBody !== undefined) payload = rawBody;
  else if (body !== undefined) {
    payload = JSON.stringify(body);
    h['Content-Type'] ??= 'application/json; charset=utf-8';
  }
  const res = await fetch(base + path, { method, headers: h, body: payload });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text };
}

// Sends bytes as they are and reads one response (Content-Length framed; the server always sends one).
function raw(requestText) {
  return new Promise((resolvePromise, reject) => {
    const socket = net.connect(new URL(base).port, '127.0.0.1');
    let data = Buffer.alloc(0);
    const timer = setTimeout(() => { socket.destroy(); reject(new Error('raw request timed out')); }, 10000);
    const tryParse = () => {
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = data.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(head[0].split(' ')[1]);
      const hs = new Headers();
      for (const line of head.slice(1)) {
        const i = line.indexOf(':');
        hs.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
      }
      const length = Number(hs.get('content-length') || 0);
      if (data.length < end + 4 + length) return;
      clearTimeout(timer);
      socket.destroy();
      resolvePromise({ status, headers: hs, text: data.subarray(end + 4, end + 4 + length).toString('utf8') });
    };
    socket.on('data', (chunk) => { data = Buffer.concat([data, chunk]); tryParse(); });
    socket.on('error', (e) => { clearTimeout(timer); reject(e); });
    socket.on('connect', () => socket.write(requestText));
  });
}

// ---- checks
function fail(label, message) {
  mismatches.push(`${label}: ${message}`);
}

function checkHeaders(label, responseDef, res) {
  for (const [name, headerRef] of Object.entries(responseDef.headers || {})) {
    const header = resolve(headerRef);
    const value = res.headers.get(name);
    if (value === null) {
      if (header.required) fail(label, `required header ${name} is missing`);
      continue;
    }
    const v = validatorFor(header.schema);
    if (!v(value)) fail(label, `header ${name}: ${JSON.stringify(value)} ${ajv.errorsText(v.errors)}`);
  }
}

function checkBody(label, responseDef, res) {
  const content = responseDef.content;
  if (!content) {
    if (res.text.length) fail(label, `the document says no body, the server sent ${res.text.length} bytes`);
    return;
  }
  const contentType = (res.headers.get('content-type') || '').split(';')[0].trim().toLowerCase();
  const media = content[contentType];
  if (!media) {
    fail(label, `Content-Type ${contentType || '(none)'} is not documented (${Object.keys(content).join(', ')})`);
    return;
  }
  let value = res.text;
  if (contentType === 'application/json') {
    try {
      value = JSON.parse(res.text);
    } catch (e) {
      fail(label, `body is not JSON: ${res.text.slice(0, 200)}`);
      return;
    }
  }
  const v = validatorFor(media.schema);
  if (!v(value)) {
    for (const e of v.errors) fail(label, `body${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  }
}

// Checks a response against its operation in the document; `expect` is the status the call is meant to get.
function check(method, path, res, expect, requestBody) {
  calls++;
  const label = `${method} ${path} -> ${res.status}`;
  if (expect !== undefined && res.status !== expect)
    fail(label, `expected ${expect} (the test's scenario); body ${res.text.slice(0, 300)}`);
  const found = findOperation(method, path);
  if (!found) {
    fail(label, 'no operation of the document matches this method and path');
    return res;
  }
  const id = found.op.operationId;
  if (!covered.has(id)) covered.set(id, new Set());
  covered.get(id).add(res.status);
  const responseDef = resolve(found.op.responses[String(res.status)]);
  if (!responseDef) {
    fail(label, `status ${res.status} is not documented for ${id} (documented: ${Object.keys(found.op.responses).join(', ')})`);
    return res;
  }
  checkHeaders(`${label} [${id}]`, responseDef, res);
  checkBody(`${label} [${id}]`, responseDef, res);
  if (res.status >= 200 && res.status < 300 && requestBody !== undefined && found.op.requestBody) {
    const schema = resolve(found.op.requestBody).content['application/json'].schema;
    const v = validatorFor(schema);
    if (!v(requestBody))
      fail(`${label} [${id}]`, `the server accepted a request body the document rejects: ${ajv.errorsText(v.errors)}`);
  }
  return res;
}

// A response that no operation can document (unknown route, wrong method): checked against a component.
function checkComponent(method, path, res, expect, componentName) {
  calls++;
  const label = `${method} ${path} -> ${res.status} [components/responses/${componentName}]`;
  if (res.status !== expect) fail(label, `expected ${expect}; body ${res.text.slice(0, 300)}`);
  const def = doc.components.responses[componentName];
  if (!def) return fail(label, 'the component is missing');
  checkHeaders(label, def, res);
  checkBody(label, def, res);
}

async function call(method, path, expect, options = {}) {
  const res = await http(method, path, options);
  check(method, path, res, expect, options.body);
  if (res.headers.get('content-type')?.startsWith('application/json') && res.text) {
    try {
      res.json = JSON.parse(res.text);
    } catch {}
  }
  return res;
}

// ---- the scenario
const CD = '/api/v1/synchronisation/connector-definitions';
const CS = '/api/v1/synchronisation/connected-systems';

async function scenario() {
  // System routes (anonymous).
  await call('GET', '/api/v1/health', 200, { key: null });
  await call('GET', '/api/v1/health/live', 200, { key: null });
  await call('GET', '/api/v1/health/ready', 200, { key: null });
  await call('GET', '/api/v1/health/version', 200, { key: null });
  await call('GET', '/api/openapi/v1.json', 200, { key: null });
  await call('GET', '/metrics', 200, { key: null });

  // Authentication.
  await call('GET', '/api/v1/userinfo', 200);
  await call('GET', '/api/v1/userinfo', 401, { key: null });
  await call('GET', '/api/v1/userinfo', 401, { key: 'not-a-key' });
  await call('GET', `${CS}`, 401, { key: 'jim_ak_' + '0'.repeat(64) });
  await call('GET', '/api/v1/security/roles', 200);

  // Connector definitions.
  await call('GET', CD, 200);
  await call('GET', `${CD}/1`, 200);
  await call('GET', `${CD}/by-name/${encodeURIComponent('JIM LDAP Connector')}`, 200);
  await call('GET', `${CD}/by-name/${encodeURIComponent('No Such Connector')}`, 404);
  await call('GET', `${CD}/999`, 404);
  const custom = await call('POST', CD, 201, {
    body: { name: 'Custom Directory Connector', description: 'third party', supportsFullImport: true, supportsPartitions: true },
  });
  const customId = custom.json?.id;
  await call('POST', CD, 409, { body: { name: 'Custom Directory Connector' } });
  await call('POST', CD, 400, { body: { name: '   ', supportsExport: 'yes' } });
  await call('PUT', `${CD}/${customId}`, 200, { body: { description: 'updated', supportsExport: true } });
  await call('PUT', `${CD}/1`, 400, { body: { description: 'built-ins are immutable' } });
  await call('PUT', `${CD}/999`, 404, { body: { description: 'x' } });
  await call('PUT', `${CD}/${customId}`, 409, { body: { name: 'JIM LDAP Connector' } });
  await call('DELETE', `${CD}/1`, 400);
  await call('DELETE', `${CD}/999`, 404);

  // Connected systems.
  const ldap = await call('POST', CS, 201, {
    body: { name: 'HR Directory', description: 'The HR LDAP directory', connectorDefinitionId: 1 },
  });
  const ldapId = ldap.json?.id;
  const files = await call('POST', CS, 201, { body: { name: 'Payroll Files', connectorDefinitionId: 2 } });
  const filesId = files.json?.id;
  const onCustom = await call('POST', CS, 201, { body: { name: 'Custom System', connectorDefinitionId: customId } });
  await call('POST', CS, 409, { body: { name: 'hr directory', connectorDefinitionId: 1 } });
  await call('POST', CS, 400, { body: { description: 'x'.repeat(1001) } });
  await call('POST', CS, 400, { body: { name: 'No Such Connector', connectorDefinitionId: 999 } });
  await call('DELETE', `${CD}/${customId}`, 409);
  await call('GET', CS, 200);
  await call('GET', `${CS}?page=1&pageSize=2&sortBy=name&sortDirection=desc&filter=${encodeURIComponent('name:contains:o')}`, 200);
  await call('GET', `${CS}?page=2&pageSize=1`, 200);
  await call('GET', `${CS}?sortBy=colour&pageSize=abc`, 400);
  await call('GET', `${CS}/${ldapId}`, 200);
  await call('GET', `${CS}/999`, 404);
  await call('PUT', `${CS}/${ldapId}`, 200, { body: { description: 'Renamed directory' } });
  await call('PUT', `${CS}/${ldapId}`, 409, { body: { name: 'Payroll Files' } });
  await call('PUT', `${CS}/${ldapId}`, 400, { body: { name: '' } });
  await call('PUT', `${CS}/999`, 404, { body: { name: 'x' } });

  // Partitions.
  const partition = await call('POST', `${CS}/${ldapId}/partitions`, 201, {
    body: { name: 'dc=example,dc=com', externalId: 'DC=example,DC=com', selected: true },
  });
  const partitionId = partition.json?.id;
  const partition2 = await call('POST', `${CS}/${ldapId}/partitions`, 201, { body: { name: 'dc=other,dc=com' } });
  await call('POST', `${CS}/${ldapId}/partitions`, 409, { body: { name: 'DC=EXAMPLE,DC=COM' } });
  await call('POST', `${CS}/${filesId}/partitions`, 400, { body: { name: 'files have none' } });
  await call('POST', `${CS}/999/partitions`, 404, { body: { name: 'x' } });
  await call('GET', `${CS}/${ldapId}/partitions`, 200);
  await call('GET', `${CS}/999/partitions`, 404);
  await call('PUT', `${CS}/${ldapId}/partitions/${partitionId}`, 200, { body: { selected: false } });
  await call('PUT', `${CS}/${ldapId}/partitions/${partitionId}`, 400, { body: {} });
  await call('PUT', `${CS}/${ldapId}/partitions/999`, 404, { body: { selected: true } });

  // Run profiles.
  const rp = `${CS}/${ldapId}/run-profiles`;
  const full = await call('POST', rp, 201, {
    body: { name: 'Full Import', runType: 'FullImport', pageSize: 500, partitionId, verifyImportContentHashes: true },
  });
  const fullId = full.json?.id;
  const delta = await call('POST', rp, 201, {
    body: { name: 'Delta Import', runType: 'deltaimport', filePath: null },
    headers: { 'Idempotency-Key': 'delta-1' },
  });
  await call('POST', rp, 201, {
    body: { name: 'Delta Import', runType: 'deltaimport', filePath: null },
    headers: { 'Idempotency-Key': 'delta-1' },
  });
  await call('POST', rp, 409, { body: { name: 'Other', runType: 'Export' }, headers: { 'Idempotency-Key': 'delta-1' } });
  await call('POST', rp, 201, { body: { name: 'Export', runType: 'Export', partitionId: partition2.json?.id } });
  await call('POST', rp, 400, { body: { name: '', runType: 1, pageSize: 0, filePath: 'x'.repeat(501) } });
  await call('POST', rp, 400, { body: { name: 'bad key' }, headers: { 'Idempotency-Key': 'k'.repeat(256) } });
  await call('POST', `${CS}/${filesId}/run-profiles`, 400, { body: { name: 'Delta', runType: 'DeltaImport' } });
  await call('POST', `${CS}/${filesId}/run-profiles`, 201, {
    body: { name: 'File Import', runType: 'FullImport', filePath: '/data/payroll.csv' },
  });
  await call('POST', `${CS}/999/run-profiles`, 404, { body: { name: 'x', runType: 'Export' } });
  await call('GET', rp, 200);
  await call('GET', `${CS}/999/run-profiles`, 404);
  const got = await call('GET', `${rp}/${fullId}`, 200);
  await call('GET', `${rp}/999`, 404);
  await call('GET', `${CS}/${filesId}/run-profiles/${fullId}`, 404);
  const etag = got.headers.get('etag');
  const updated = await call('PUT', `${rp}/${fullId}`, 200, {
    body: { name: 'Full Import (nightly)', pageSize: 1000, filePath: '' },
    headers: { 'If-Match': etag },
  });
  await call('PUT', `${rp}/${fullId}`, 412, { body: { pageSize: 10 }, headers: { 'If-Match': etag } });
  await call('PUT', `${rp}/${fullId}`, 400, { body: { pageSize: 10001, partitionId: 999 } });
  await call('PUT', `${rp}/999`, 404, { body: { pageSize: 10 } });
  await call('DELETE', `${rp}/${delta.json?.id}`, 412, { headers: { 'If-Match': '"rp-0-0"' } });
  await call('DELETE', `${rp}/${delta.json?.id}`, 204, { headers: { 'If-Match': '*' } });
  await call('DELETE', `${rp}/999`, 404);
  // A profile whose partition is gone: partitionName null, targetsDeselectedPartition true.
  await call('DELETE', `${CS}/${ldapId}/partitions/${partitionId}`, 204);
  await call('DELETE', `${CS}/${ldapId}/partitions/999`, 404);
  await call('GET', `${rp}/${fullId}`, 200, { headers: { 'If-None-Match': updated.headers.get('etag') || '' } });

  // Run-profile sets (beyond JIM), on a system of their own.
  const setSystem = await call('POST', CS, 201, { body: { name: 'Set system', connectorDefinitionId: 1 } });
  const rps = `${CS}/${setSystem.json?.id}/run-profiles`;
  const standard = {
    runProfiles: [
      { name: 'Full Import', runType: 'FullImport', pageSize: 500 },
      { name: 'Delta Import', runType: 'DeltaImport' },
      { name: 'Export', runType: 'Export', filePath: null },
    ],
    changeReason: 'standard set',
  };
  const planned = await call('PUT', `${rps}?dryRun=true`, 200, { body: standard });
  await call('PUT', rps, 200, { body: standard, headers: { 'If-Match': planned.headers.get('etag') || '' } });
  await call('PUT', `${rps}?prune=false`, 200, {
    body: { runProfiles: [{ name: 'Full Import', runType: 'DeltaImport', verifyImportContentHashes: false }] },
  });
  const exported = await call('GET', `${rps}?format=set`, 200);
  await call('PUT', rps, 200, { body: exported.json, headers: { 'If-Match': exported.headers.get('etag') || '' } });
  await call('PUT', rps, 412, { body: standard, headers: { 'If-Match': planned.headers.get('etag') || '' } });
  await call('PUT', rps, 400, {
    body: { runProfiles: [{ name: '', runType: 'Bogus' }, { name: 'a', runType: 'Export', pageSize: 0 }, 7] },
  });
  await call('PUT', `${rps}?dryRun=maybe`, 400, { body: standard });
  await call('PUT', `${CS}/999/run-profiles`, 404, { body: standard });
  await call('POST', rps, 201, { body: { name: 'Export', runType: 'Export' } });
  await call('PUT', rps, 409, { body: standard });
  await call('GET', `${rps}?format=csv`, 400);
  await call('GET', `${CS}/${setSystem.json?.id}/capabilities`, 200);
  await call('GET', `${CS}/999/capabilities`, 404);
  const reasoned = await call('POST', rps, 201, { body: { name: 'Reasoned', runType: 'Export', changeReason: 'CHG-1' } });
  await call('PUT', `${rps}/${reasoned.json?.id}`, 200, { body: { pageSize: 7, changeReason: 'CHG-2' } });
  await call('DELETE', `${rps}/${reasoned.json?.id}?changeReason=${'r'.repeat(2001)}`, 400);
  await call('DELETE', `${rps}/${reasoned.json?.id}?changeReason=CHG-3`, 204);
  await call('GET', '/api/v1/activities?pageSize=3', 200);

  // API keys.
  await call('GET', '/api/v1/apikeys', 200);
  const created = await call('POST', '/api/v1/apikeys', 201, {
    body: { name: 'CI pipeline', description: 'deploys', roleIds: [1], expiresAt: '2099-01-01T00:00:00.000Z' },
  });
  const keyId = created.json?.id;
  const reader = await call('POST', '/api/v1/apikeys', 201, { body: { name: 'No role', roleIds: [] } });
  await call('POST', '/api/v1/apikeys', 400, { body: { name: '', roleIds: [2], expiresAt: '2001-01-01T00:00:00Z' } });
  await call('GET', `/api/v1/apikeys/${keyId}`, 200);
  await call('GET', '/api/v1/apikeys/00000000-0000-4000-8000-000000000000', 404);
  await call('PUT', `/api/v1/apikeys/${keyId}`, 200, {
    body: { name: 'CI pipeline', description: 'deploys', roleIds: [1], isEnabled: true, expiresAt: null },
  });
  await call('PUT', '/api/v1/apikeys/00000000-0000-4000-8000-000000000000', 404, { body: { name: 'x' } });
  await call('PUT', `/api/v1/apikeys/${keyId}`, 400, { body: { roleIds: [7] } });
  // The new key acting on itself: 409; a key without the Administrator role: 403.
  const ciKey = created.json?.key;
  await call('PUT', `/api/v1/apikeys/${keyId}`, 409, { key: ciKey, body: { name: 'CI pipeline', roleIds: [1], isEnabled: false } });
  await call('DELETE', `/api/v1/apikeys/${keyId}`, 409, { key: ciKey });
  await call('GET', '/api/v1/userinfo', 200, { key: reader.json?.key });
  await call('GET', '/api/v1/security/roles', 403, { key: reader.json?.key });
  await call('POST', CS, 403, { key: reader.json?.key, body: { name: 'x', connectorDefinitionId: 1 } });
  await call('DELETE', `/api/v1/apikeys/${reader.json?.id}`, 204);
  await call('DELETE', '/api/v1/apikeys/00000000-0000-4000-8000-000000000000', 404);

  // Configuration change history (JIM): connected systems, connector definitions, API keys.
  await call('PUT', `${CS}/${ldapId}`, 200, { body: { description: 'the directory', changeReason: 'documented' } });
  const history = `${CS}/${ldapId}/change-history`;
  await call('GET', history, 200);
  await call('GET', `${history}?page=2&pageSize=2`, 200);
  await call('GET', `${history}?pageSize=abc`, 400);
  await call('GET', `${history}/1`, 200);
  await call('GET', `${history}/2`, 200);
  await call('GET', `${history}/99999`, 404);
  await call('GET', `${history}/abc`, 400);
  await call('GET', `${history}/compare?fromVersion=1&toVersion=3`, 200);
  await call('GET', `${history}/compare?fromVersion=x`, 400);
  await call('GET', `${history}/compare?fromVersion=1&toVersion=99999`, 404);
  await call('GET', `${CS}/99999/change-history`, 200);
  await call('GET', `${CD}/${customId}/change-history`, 200);
  await call('GET', `${CD}/${customId}/change-history/1`, 200);
  await call('GET', `${CD}/${customId}/change-history/compare?fromVersion=1&toVersion=1`, 200);
  await call('GET', `/api/v1/apikeys/${keyId}/change-history`, 200);
  await call('GET', `/api/v1/apikeys/${keyId}/change-history/2`, 200);
  await call('GET', `/api/v1/apikeys/${keyId}/change-history/compare?fromVersion=1&toVersion=2`, 200);
  await call('POST', '/api/v1/apikeys', 201, { body: { name: 'Reasoned key', roleIds: [1], changeReason: 'audit' } });

  // Activities.
  const activities = await call('GET', `/api/v1/activities?connectedSystemId=${ldapId}&targetType=ConnectedSystemRunProfile&pageSize=5`, 200);
  await call('GET', '/api/v1/activities', 200);
  await call('GET', '/api/v1/activities?page=1&pageSize=100&sortBy=created&sortDirection=desc', 200);
  await call('GET', '/api/v1/activities?targetType=Nothing&connectedSystemId=-1', 400);
  await call('GET', `/api/v1/activities/${activities.json?.items?.[0]?.id}`, 200);
  await call('GET', '/api/v1/activities/00000000-0000-4000-8000-000000000000', 404);

  // Deletes that clean up (and release the custom connector).
  await call('DELETE', `${CS}/${onCustom.json?.id}`, 204);
  await call('DELETE', `${CS}/999`, 404);
  await call('DELETE', `${CD}/${customId}`, 204);

  // The wire: bodies, media types, lengths, methods, unknown routes.
  await call('POST', CS, 400, { rawBody: '{"name": "broken', headers: { 'Content-Type': 'application/json' } });
  await call('POST', CS, 400, { rawBody: '[1,2]', headers: { 'Content-Type': 'application/json' } });
  await call('POST', CS, 400, { rawBody: '{"name":"a","NAME":"b","connectorDefinitionId":1}', headers: { 'Content-Type': 'application/json' } });
  await call('POST', CS, 415, { rawBody: 'name=x', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  await call('PUT', `${rp}/${fullId}`, 415, { rawBody: '{}', headers: { 'Content-Type': 'text/plain' } });
  const noLength = await raw(`POST ${CS} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: ${adminKey}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n`);
  check('POST', CS, noLength, 411);
  const chunked = await raw(`PUT ${CS}/${ldapId} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: ${adminKey}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n`);
  check('PUT', `${CS}/${ldapId}`, chunked, 411);
  const tooLarge = await raw(`POST ${rp} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: ${adminKey}\r\nContent-Type: application/json\r\nContent-Length: 2000000\r\nConnection: close\r\n\r\n`);
  check('POST', rp, tooLarge, 413);
  const badLength = await raw(`GET ${CS} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: ${adminKey}\r\nContent-Length: ten\r\nConnection: close\r\n\r\n`);
  check('GET', CS, badLength, 400);
  for (const [method, path] of [['PATCH', `${CS}/${ldapId}`], ['DELETE', CS], ['POST', '/api/v1/health'], ['PUT', '/api/v1/activities']]) {
    const res = await http(method, path, method === 'DELETE' ? {} : { body: {} });
    checkComponent(method, path, res, 405, 'MethodNotAllowed');
  }
  for (const path of ['/api/v1/nothing-here', `${CS}/not-a-number`, '/api/v1/apikeys/not-a-uuid', '/']) {
    checkComponent('GET', path, await http('GET', path), 404, 'NotFound');
  }
  await call('DELETE', `${CS}/${ldapId}`, 204);
  await call('DELETE', `${CS}/${filesId}`, 204);
}

// 429: a second server with a per-IP limit of 2 failed requests a minute.
async function rateLimitScenario() {
  for (let i = 0; i < 2; i++) await call('GET', '/api/v1/userinfo', 401, { key: null });
  await call('GET', '/api/v1/userinfo', 429, { key: null });
  await call('GET', `${CS}/1/run-profiles`, 429, { key: 'jim_ak_' + 'f'.repeat(64) });
}

const server = await startServer(binary);
try {
  base = server.base;
  adminKey = server.adminKey;
  await scenario();
} catch (e) {
  fail('scenario', `stopped by ${e.stack || e}`);
} finally {
  await server.stop();
}
const limited = await startServer(binary, ['--rate-limit-per-ip', '2']);
try {
  base = limited.base;
  adminKey = limited.adminKey;
  await rateLimitScenario();
} catch (e) {
  fail('rate-limit scenario', `stopped by ${e.stack || e}`);
} finally {
  await limited.stop();
}

// ---- coverage: every operation called, with its 2xx; and which documented statuses were seen.
let statusesDocumented = 0;
let statusesSeen = 0;
const unseen = [];
for (const o of operations) {
  const id = o.op.operationId;
  const seen = covered.get(id) || new Set();
  const documented = Object.keys(o.op.responses);
  statusesDocumented += documented.length;
  statusesSeen += documented.filter((s) => seen.has(Number(s))).length;
  const success = documented.filter((s) => s.startsWith('2'));
  if (!success.some((s) => seen.has(Number(s)))) fail(id, `never got its documented ${success.join('/')} in this test`);
  unseen.push(`${o.method.padEnd(6)} ${o.template}: saw ${[...seen].sort().join(',') || '-'}; not provoked ${documented.filter((s) => !seen.has(Number(s))).join(',') || '-'}`);
}
console.log('coverage by operation (statuses the test provoked; documented statuses it could not):');
for (const line of unseen) console.log('  ' + line);
console.log(`${calls} responses checked; ${operations.length} operations; ` +
  `${statusesSeen}/${statusesDocumented} documented (operation, status) pairs provoked`);

for (const e of new Set(schemaErrors)) mismatches.push(`the document's schema does not compile: ${e}`);
if (mismatches.length) {
  console.log(`FAILED: ${mismatches.length} mismatch(es) between the server and the document:`);
  for (const m of mismatches) console.log('  - ' + m);
  process.exit(1);
}
console.log('openapi_responses: every response matches the document');
