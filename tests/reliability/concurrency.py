#!/usr/bin/env python3
"""Concurrency against the real binary.

  * 32 clients x 200 creates on one connected system: 6400 201s, 6400 distinct ids, all listed, one
    Create activity each;
  * If-Match races: ROUNDS times, 16 clients PUT the same profile with the same ETag at once: exactly
    one 200, the rest 412 PRECONDITION_FAILED; the revision grows by exactly one per round;
    then the same for DELETE: one 204, the rest 412 or 404;
  * name races: ROUNDS times, 16 clients create a connected system with the same name (in varying
    case) at once: exactly one 201, the rest 409 CONFLICT.
Scale: JIM_CONC_CLIENTS, JIM_CONC_CREATES, JIM_CONC_ROUNDS. JIM_EDGE_BIN may name a TSan build.
"""
import os
import threading
import time

import jimrel as J

CLIENTS = int(os.environ.get("JIM_CONC_CLIENTS", "32"))
CREATES = int(os.environ.get("JIM_CONC_CREATES", "200"))
ROUNDS = int(os.environ.get("JIM_CONC_ROUNDS", "10"))
RACERS = 16


def race(n, fn):
    """Runs fn(i, client) on n threads released together by a barrier; returns the results."""
    barrier = threading.Barrier(n)
    out = [None] * n

    def run(i):
        c = clients[i]
        c.get("/api/v1/health/live")  # connect first, so the race is on the request itself
        barrier.wait()
        try:
            out[i] = fn(i, c)
        except Exception as e:
            out[i] = e

    ts = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(120)
    return out


clients = []


def main():
    key = J.new_key()
    data = J.fresh_dir("data")
    server = J.Server(data, ["--rate-limit", "off"], infra_key=key).start()
    clients.extend(server.client(key=key, timeout=60) for _ in range(max(CLIENTS, RACERS)))
    c = server.client(key=key)
    cs = J.create_system(c, "concurrency")

    # 1. Many creates.
    t0 = time.monotonic()

    def creates(i, cl):
        ids, bad = [], []
        for n in range(CREATES):
            r = cl.post(J.profiles_path(cs), {"name": f"t{i}-{n}", "runType": "FullImport"})
            (ids.append(r.json["id"]) if r.status == 201 else bad.append(r))
        return ids, bad

    results = race(CLIENTS, creates)
    secs = time.monotonic() - t0
    ids = []
    for res in results:
        if isinstance(res, Exception):
            J.check(False, f"a creating client failed: {res!r}")
            continue
        ids.extend(res[0])
        J.check(not res[1], f"{len(res[1])} creates failed, first {res[1][:1]}")
    want = CLIENTS * CREATES
    J.check(len(ids) == want, f"{len(ids)} creates acknowledged, want {want}")
    J.check(len(set(ids)) == len(ids), f"duplicate ids: {len(ids) - len(set(ids))}")
    listed = c.get(J.profiles_path(cs)).json
    J.check(sorted(p["id"] for p in listed) == sorted(ids), "the list does not hold exactly the acknowledged ids")
    acts = [a for a in J.all_activities(c, cs=cs) if a["targetType"] == "ConnectedSystemRunProfile"]
    J.check(sorted(a["connectedSystemRunProfileId"] for a in acts) == sorted(ids),
            f"{len(acts)} Create activities for {len(ids)} creates")
    J.log(f"{len(ids)} creates by {CLIENTS} clients in {secs:.1f} s ({len(ids) / secs:.0f}/s), "
          f"{len(set(ids))} distinct ids")

    # 2. If-Match races on PUT, then on DELETE.
    target = ids[0]
    put_rounds = 0
    for rnd in range(ROUNDS):
        r = c.get(J.profiles_path(cs, target))
        etag = r.header("ETag")
        rev = J.etag_revision(etag)
        out = race(RACERS, lambda i, cl: cl.put(J.profiles_path(cs, target), {"name": f"r{rnd}-w{i}"},
                                                headers={"If-Match": etag}))
        statuses = sorted(x.status if not isinstance(x, Exception) else repr(x) for x in out)
        wins = [x for x in out if not isinstance(x, Exception) and x.status == 200]
        J.check(len(wins) == 1 and statuses.count(412) == RACERS - 1,
                f"If-Match round {rnd}: want one 200 and {RACERS - 1} 412, got {statuses}")
        for x in out:
            if not isinstance(x, Exception) and x.status == 412:
                J.check(x.is_envelope("PRECONDITION_FAILED"), f"412 without the envelope: {x!r}")
        after = c.get(J.profiles_path(cs, target))
        J.check(J.etag_revision(after.header("ETag")) == (target, rev[1] + 1),
                f"round {rnd}: revision went from {etag} to {after.header('ETag')}")
        if wins:
            J.check(after.json["name"] == wins[0].json["name"], "the stored name is not the winner's")
        put_rounds += 1
    del_rounds = 0
    for rnd in range(ROUNDS):
        victim = ids[1 + rnd]
        etag = c.get(J.profiles_path(cs, victim)).header("ETag")
        out = race(RACERS, lambda i, cl: cl.delete(J.profiles_path(cs, victim), headers={"If-Match": etag}))
        statuses = sorted(x.status if not isinstance(x, Exception) else repr(x) for x in out)
        J.check(statuses.count(204) == 1 and all(s in (204, 404, 412) for s in statuses),
                f"DELETE If-Match round {rnd}: want one 204, the rest 412/404, got {statuses}")
        J.check(c.get(J.profiles_path(cs, victim)).status == 404, f"profile {victim} survived its delete")
        del_rounds += 1

    # 3. Same-name races.
    name_rounds = 0
    for rnd in range(ROUNDS):
        name = f"Same Name {rnd}"
        variants = [name, name.upper(), name.lower(), f"  {name}  "]
        out = race(RACERS, lambda i, cl: cl.post(J.CS, {"name": variants[i % len(variants)],
                                                          "connectorDefinitionId": 1 + i % 4}))
        statuses = sorted(x.status if not isinstance(x, Exception) else repr(x) for x in out)
        J.check(statuses.count(201) == 1 and statuses.count(409) == RACERS - 1,
                f"name race {rnd}: want one 201 and {RACERS - 1} 409, got {statuses}")
        for x in out:
            if not isinstance(x, Exception) and x.status == 409:
                J.check(x.is_envelope("CONFLICT"), f"409 without the envelope: {x!r}")
        name_rounds += 1
    systems = c.get(f"{J.CS}?pageSize=100").json
    names = [s["name"].strip().lower() for s in systems["items"]]
    J.check(len(names) == len(set(names)), f"duplicate system names stored: {sorted(names)}")

    hwm = server.status_field("VmHWM")
    rc, secs = server.terminate()
    J.check(rc == 0, f"stop exited {rc}")
    if not J.failures():
        J.rmtree(data)
    J.finish(f"{len(set(ids))} distinct ids from {CLIENTS}x{CREATES} creates; {put_rounds} PUT and {del_rounds} "
             f"DELETE If-Match rounds of {RACERS} racers with exactly one winner; {name_rounds} name races with "
             f"exactly one 201; peak RSS {hwm} kB")


if __name__ == "__main__":
    J.main_guard(main)
