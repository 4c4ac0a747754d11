#!/usr/bin/env python3
"""Authentication and authorisation over every route of the route table.

The route list comes from the binary under test (`jim-edge routes --json`, the table the server registers)
and is checked against the served OpenAPI document, so a new route cannot escape this test. Which routes
may be anonymous or open to any key is a short policy list here: a route whose role changes to a weaker
one fails the test instead of being followed by it. Every route is called with no key,
malformed keys, an unknown key, a disabled key, an expired key (one made by the API with expiresAt a few
seconds ahead, one by `jim-edge apikey create --expires-in 1s` on the stopped server), a deleted key and a
key without the Administrator role: 401 (envelope UNAUTHORISED, "Authentication required",
WWW-Authenticate) or 403 (FORBIDDEN) as the contract says; anonymous routes answer without a key.
Brute force from one IP hits the per-IP limit: 429 TOO_MANY_REQUESTS with Retry-After, X-Forwarded-For
does not get around it, valid keys and health routes keep working. No key or digest appears in any
response (checked on every response) or server log.
"""
import datetime
import json
import re
import time

import jimrel as J

CD = "/api/v1/synchronisation/connector-definitions"
CS = "/api/v1/synchronisation/connected-systems"
RP = CS + "/{int}/run-profiles"
PT = CS + "/{int}/partitions"
ANON, AUTH, ADMIN = "Anonymous", "Authenticated", "Administrator"

# The contract's policy: these answer without a key, userinfo answers any valid key, everything else needs
# the Administrator role.
PUBLIC = {("GET", p) for p in ("/api/v1/health", "/api/v1/health/live", "/api/v1/health/ready",
                               "/api/v1/health/version", "/api/openapi/v1.json", "/metrics")}
ANY_KEY = {("GET", "/api/v1/userinfo")}


def routes_from_binary():
    """(method, pattern, role) rows of the route table of the binary under test."""
    rc, out, err = J.run_cli(["routes", "--json"])
    J.check(rc == 0, f"jim-edge routes --json exited {rc}: {err}")
    return [(r["method"], r["pattern"], r["role"]) for r in json.loads(out)]


def iso(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def main():
    data = J.fresh_dir("data")
    admin = J.new_key()

    # 0. The route table of the binary, and its roles against the policy.
    routes = routes_from_binary()
    J.check(len(routes) >= len(PUBLIC | ANY_KEY) + 20, f"implausibly short route table: {routes}")
    for method, pattern, role in routes:
        want = ANON if (method, pattern) in PUBLIC else AUTH if (method, pattern) in ANY_KEY else ADMIN
        J.check(role == want, f"{method} {pattern} has role {role}; the contract says {want}")
    J.check(PUBLIC | ANY_KEY <= {(m, p) for m, p, _ in routes}, "a public route is missing from the table")

    # An expired key made offline, on the stopped (not yet started) server.
    rc, out, err = J.run_cli(["apikey", "create", "--data-dir", data, "--name", "cli-expiring", "--expires-in", "1s"])
    J.check(rc == 0, f"apikey create --expires-in 1s exited {rc}: {err}")
    cli_expired = out.strip()
    J.register_secret(cli_expired)
    J.check(J.sha256_hex(cli_expired) not in out + err and cli_expired not in err,
            "apikey create printed the digest, or the key on stderr")

    server = J.Server(data, ["--rate-limit-per-ip", "1000000"], infra_key=admin, label="matrix").start()
    c = server.client(key=admin)

    # OpenAPI paths, once the document lists them.
    doc = c.get("/api/openapi/v1.json").json
    if doc and doc.get("paths"):
        served = set()
        for p, ops in doc["paths"].items():
            for m in ops:
                if m.upper() in ("GET", "POST", "PUT", "DELETE", "PATCH"):
                    served.add((m.upper(), re.sub(r"\{[^}]+\}", "{}", p)))
        ours = {(m, re.sub(r"\{[^}]+\}", "{}", p)) for m, p, _ in routes}
        J.check(served == ours, f"OpenAPI paths differ from the route table: {sorted(served ^ ours)}")
    else:
        J.log("the OpenAPI document lists no paths yet; the route list is the binary's only")

    # Resources the paths point at.
    cs = J.create_system(c, "auth")
    rp = c.post(J.profiles_path(cs), {"name": "p", "runType": "FullImport"}).json["id"]
    pt = c.post(f"{CS}/{cs}/partitions", {"name": "ou=people"}).json["id"]
    # A custom connector: the built-ins never change, so they have no change history to read.
    r = c.post(CD, {"name": "auth custom", "supportsFullImport": True})
    J.check(r.status == 201, f"create a custom connector: {r!r}")
    custom_cd = r.json["id"]

    def make_key(name, body_extra=None):
        body = {"name": name, "roleIds": [1]}
        body.update(body_extra or {})
        r = c.post("/api/v1/apikeys", body)
        J.check(r.status == 201 and r.json["key"].startswith("jim_ak_"), f"create key {name}: {r!r}")
        J.check(len(r.json.get("keyPrefix", "")) == 12 and r.json["key"].startswith(r.json["keyPrefix"]),
                f"keyPrefix of {name}: {r.json.get('keyPrefix')}")
        J.register_secret(r.json["key"])
        return r.json["key"], r.json["id"]

    reader, reader_id = make_key("no-role", {"roleIds": []})
    disabled, disabled_id = make_key("disabled")
    r = c.put(f"/api/v1/apikeys/{disabled_id}", {"name": "disabled", "roleIds": [1], "isEnabled": False})
    J.check(r.status == 200 and r.json["isEnabled"] is False, f"disable key: {r!r}")
    expiring, _ = make_key("expiring", {"expiresAt": iso(time.time() * 1000 + 2500)})
    J.check(c.get("/api/v1/userinfo", key=expiring).status == 200, "the expiring key did not work before it expired")
    deleted, deleted_id = make_key("deleted")
    J.check(c.get("/api/v1/userinfo", key=deleted).status == 200, "the key to delete did not work")
    J.check(c.delete(f"/api/v1/apikeys/{deleted_id}").status == 204, "delete key")
    J.check(c.get("/api/v1/userinfo", key=reader).json.get("isAdministrator") is False, "userinfo of a key without role")
    lower = c.get("/api/v1/security/roles", headers={"x-api-key": admin}, key="")
    J.check(lower.status == 200, f"the header name must be case-insensitive: {lower!r}")
    act = J.all_activities(c)[0]["id"]
    listing = c.get("/api/v1/apikeys")
    for k in listing.json:
        J.check(set(k) >= {"id", "name", "keyPrefix", "isEnabled", "roles"} and "key" not in k and
                not any("digest" in f.lower() or "hash" in f.lower() for f in k), f"key listing fields: {sorted(k)}")
    time.sleep(3.0)  # the expiring keys are now past expiresAt

    uuids = {"/api/v1/apikeys/{uuid}": reader_id, "/api/v1/activities/{uuid}": act}

    def concrete(pattern):
        if pattern in uuids:
            return pattern.replace("{uuid}", uuids[pattern])
        p = pattern
        if "/change-history" in p:
            # Version 1 of objects that have one: the system, the custom connector, the reader key.
            p = p.replace("/change-history/{str}", "/change-history/1")
            if p.endswith("/change-history/compare"):
                p += "?fromVersion=1&toVersion=1"
            p = p.replace(CD + "/{int}", f"{CD}/{custom_cd}").replace("/api/v1/apikeys/{uuid}", f"/api/v1/apikeys/{reader_id}")
        p = p.replace(CD + "/by-name/{str}", CD + "/by-name/JIM%20LDAP%20Connector")
        p = p.replace(CD + "/{int}", CD + "/1")
        p = p.replace(PT + "/{int}", f"{CS}/{cs}/partitions/{pt}").replace(RP + "/{int}", f"{CS}/{cs}/run-profiles/{rp}")
        p = p.replace("{int}", str(cs))
        J.check("{" not in p, f"auth.py cannot fill in {pattern}: teach concrete() the new placeholder")
        return p

    bad_keys = {
        "no key": "",
        "malformed: short": "jim_ak_1234",
        "malformed: upper-case hex": "jim_ak_" + admin[7:].upper(),
        "malformed: wrong prefix": "jim_xx_" + admin[7:],
        "malformed: bearer": "Bearer " + admin,
        "malformed: trailing junk": admin + "0",
        "malformed: non-ascii": "jim_ak_" + "é" * 32,
        "unknown": J.new_key(),
        "disabled": disabled,
        "expired (API)": expiring,
        "expired (CLI)": cli_expired,
        "deleted": deleted,
    }
    for k in bad_keys.values():
        if k.startswith("jim_ak_") and len(k) == 71:
            J.register_secret(k)
    calls = 0
    for method, pattern, role in routes:
        path = concrete(pattern)
        body = {} if method in ("POST", "PUT") else None
        for label, k in bad_keys.items():
            r = c.request(method, path, body=body, key=k)
            calls += 1
            if role == ANON:
                J.check(r.status in (200,), f"{method} {pattern} ({label}): {r.status}, want 200 without a key")
                continue
            J.check(r.status == 401, f"{method} {pattern} with {label}: {r.status}, want 401: {r.body[:150]!r}")
            J.check(r.is_envelope("UNAUTHORISED") and r.json["message"] == "Authentication required",
                    f"{method} {pattern} with {label}: body {r.body[:200]!r}")
            J.check(r.header("WWW-Authenticate") == 'ApiKey header="X-Api-Key"',
                    f"{method} {pattern} with {label}: WWW-Authenticate {r.header('WWW-Authenticate')!r}")
        r = c.request(method, path, body=body, key=reader)
        calls += 1
        if role == ADMIN:
            J.check(r.status == 403 and r.is_envelope("FORBIDDEN") and
                    r.json["message"] == "Insufficient permissions (Administrator role required)",
                    f"{method} {pattern} without the Administrator role: {r!r}")
        else:
            J.check(r.status == 200, f"{method} {pattern} with a valid non-admin key: {r!r}")
        if method == "GET":
            r = c.request(method, path)
            calls += 1
            J.check(r.status == 200, f"{method} {pattern} with the admin key: {r!r}")
    # The guard checks framing before authentication: an unauthenticated POST without JSON gets 415.
    r = c.request("POST", CS, body=b"x", key="", headers={"Content-Type": "text/plain"})
    J.log(f"unauthenticated POST with text/plain: {r.status} {r.json['code'] if r.is_envelope() else r.body[:80]}")
    J.check(r.status in (401, 415) and r.is_envelope(), f"unauthenticated text/plain POST: {r!r}")
    rc, _ = server.terminate()
    J.check(rc == 0, f"stop exited {rc}")
    J.log(f"auth matrix: {len(routes)} routes x {len(bad_keys) + 1} keys, {calls} calls")

    # Brute force: the per-IP limit (default 30/minute) on failed requests.
    server = J.Server(data, [], infra_key=admin, label="bruteforce").start()
    c = server.client()
    statuses = []
    limited_first = None
    for i in range(60):
        guess = J.new_key()
        r = c.get("/api/v1/security/roles", key=guess,
                  headers={"X-Forwarded-For": f"10.0.{i}.1", "X-Real-IP": f"10.1.{i}.1"})
        statuses.append(r.status)
        if r.status == 429 and limited_first is None:
            limited_first = i
            J.check(r.is_envelope("TOO_MANY_REQUESTS"), f"429 without the envelope: {r!r}")
            ra = r.header("Retry-After") or ""
            J.check(ra.isdigit() and 1 <= int(ra) <= 60, f"Retry-After {ra!r}")
    J.check(limited_first is not None and limited_first <= 31, f"brute force not limited: {statuses}")
    J.check(all(s == 429 for s in statuses[limited_first or 0:]), f"the limit did not hold: {statuses}")
    J.check(c.get("/api/v1/health").status == 200, "health is rate limited")
    J.check(c.get("/api/v1/health/ready").status == 200, "ready is rate limited")
    J.check(c.get("/api/v1/security/roles", key=admin).status == 200, "a valid key is blocked by the per-IP limit")
    J.check(c.get("/api/v1/security/roles", key=J.new_key()).status == 429, "the per-IP limit let a guess through")
    rc, _ = server.terminate()
    J.check(rc == 0, f"stop exited {rc}")
    J.log(f"brute force: limited from attempt {limited_first + 1 if limited_first is not None else None} of 60")
    if not J.failures():
        J.rmtree(data)
    J.finish(f"{len(routes)} routes (from jim-edge routes --json) x {len(bad_keys)} bad keys + a non-admin key: "
             f"{calls} calls with the contract's 401/403; brute force limited after {limited_first} attempts")


if __name__ == "__main__":
    J.main_guard(main)
