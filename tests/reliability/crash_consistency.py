#!/usr/bin/env python3
"""Crash consistency: kill -9 under concurrent writes, restart on the same data dir, check everything.

Each cycle: start jim-edge on the shared data dir, let THREADS keep-alive clients create, update and
delete run profiles (each client owns its profiles, so the order of its acknowledgements is the order
of its changes), kill -9 at a random moment, sometimes kill it again while it recovers, restart, then:
  * every acknowledged create/update is stored exactly as acknowledged (fields and ETag revision), or
    as the one request of that client that was in flight at the kill (its outcome is unknown);
  * every acknowledged delete is gone; nothing appears that no client sent;
  * ids are unique, never reused, and grow across restarts (new ids > every id seen before);
  * the audit trail (GET /api/v1/activities?connectedSystemId=) holds exactly one activity per applied
    change: Create 1, Update = applied updates, Delete 1 if deleted; no activity without its change.

State accumulates over the cycles, so cycle N re-checks everything acknowledged in cycles 0..N-1.
Cycles: --cycles or JIM_CRASH_CYCLES (default 20); seed: --seed or JIM_CRASH_SEED.
"""
import argparse
import os
import random
import threading
import time

import jimrel as J

THREADS = 8
RUN_TYPES = ["FullImport", "DeltaImport", "FullSynchronisation", "DeltaSynchronisation", "Export"]


class Profile:
    def __init__(self, pid, fields, revision, cycle):
        self.id = pid
        self.fields = fields  # name, runType, pageSize, filePath
        self.revision = revision
        self.deleted = False
        self.updates = 0  # applied updates (acknowledged or found applied after the crash)
        self.gone_checked = False
        self.cycle = cycle


class Worker:
    def __init__(self, tid):
        self.tid = tid
        self.profiles = {}
        self.inflight = None  # (op, id or name, request fields) of the request whose outcome is unknown
        self.seq = 0
        self.acks = 0


def fields_of(p):
    return {"name": p["name"], "runType": p["runType"], "pageSize": p["pageSize"], "filePath": p["filePath"]}


class Run:
    def __init__(self, args):
        self.args = args
        self.key = J.new_key()
        self.data_dir = J.fresh_dir("data")
        self.workers = [Worker(t) for t in range(THREADS)]
        self.seen_ids = set()
        self.max_id_verified = 0
        self.cs = None
        self.acks_checked = 0
        self.acks_total = 0
        self.kills = 0
        self.startup_kills = 0
        self.unknown_applied = 0
        self.unknown_total = 0

    # -- load ------------------------------------------------------------------------------------
    def work(self, w, port, rng, cycle):
        c = J.Client(port, key=self.key, timeout=20)
        while True:
            live = [p for p in w.profiles.values() if not p.deleted]
            r = rng.random()
            if not live or (len(live) < 12 and r < 0.5) or r < 0.15:
                w.seq += 1
                f = {"name": f"c{cycle}-t{w.tid}-n{w.seq}", "runType": rng.choice(RUN_TYPES),
                     "pageSize": rng.randint(1, 10000),
                     "filePath": rng.choice([None, f"/data/c{cycle}/t{w.tid}/{w.seq}.csv"])}
                w.inflight = ("create", f["name"], f)
                body = {k: v for k, v in f.items() if v is not None}
                try:
                    res = c.post(J.profiles_path(self.cs), body)
                except Exception:
                    return
                if J.check(res.status == 201, f"create answered {res!r}"):
                    pid = res.json["id"]
                    J.check(pid not in self.seen_ids, f"create acknowledged id {pid}, which was used before")
                    J.check(pid > self.max_id_verified,
                            f"id {pid} is not above the highest id before this restart ({self.max_id_verified})")
                    J.check(fields_of(res.json) == f, f"create echoed {res.json} for {f}")
                    rev = J.etag_revision(res.header("ETag"))
                    J.check(rev is not None and rev[0] == pid, f"create ETag {res.header('ETag')}")
                    self.seen_ids.add(pid)
                    w.profiles[pid] = Profile(pid, f, rev[1] if rev else 0, cycle)
                    w.acks += 1
                w.inflight = None
            elif r < 0.8:
                p = rng.choice(live)
                w.seq += 1
                change = {"name": f"u{cycle}-t{w.tid}-n{w.seq}", "pageSize": rng.randint(1, 10000)}
                if rng.random() < 0.5:
                    change["filePath"] = rng.choice(["", f"/data/u{cycle}/{w.seq}.csv"])
                w.inflight = ("update", p.id, change)
                try:
                    res = c.put(J.profiles_path(self.cs, p.id), change)
                except Exception:
                    return
                if J.check(res.status == 200, f"update of {p.id} answered {res!r}"):
                    expect = apply_change(p.fields, change)
                    J.check(fields_of(res.json) == expect, f"update echoed {res.json}, expected {expect}")
                    rev = J.etag_revision(res.header("ETag"))
                    J.check(rev == (p.id, p.revision + 1), f"update ETag {res.header('ETag')} after rev {p.revision}")
                    p.fields, p.revision = expect, p.revision + 1
                    p.updates += 1
                    w.acks += 1
                w.inflight = None
            else:
                p = rng.choice(live)
                w.inflight = ("delete", p.id, None)
                try:
                    res = c.delete(J.profiles_path(self.cs, p.id))
                except Exception:
                    return
                if J.check(res.status == 204, f"delete of {p.id} answered {res!r}"):
                    p.deleted = True
                    w.acks += 1
                w.inflight = None

    # -- verification ------------------------------------------------------------------------------
    def verify(self, server):
        c = server.client(key=self.key)
        res = c.get(J.profiles_path(self.cs))
        if not J.check(res.status == 200, f"list after restart: {res!r}"):
            return
        listed = res.json
        ids = [p["id"] for p in listed]
        J.check(len(ids) == len(set(ids)), "the list holds a duplicated id")
        J.check(ids == sorted(ids), "the list is not in id order")
        names = [p["name"] for p in listed]
        J.check(len(names) == len(set(names)), "a profile name appears twice (a create applied twice?)")
        stored = {p["id"]: p for p in listed}
        owned = {}
        for w in self.workers:
            for p in w.profiles.values():
                owned[p.id] = (w, p)
        checked = 0
        for pid, (w, p) in owned.items():
            s = stored.get(pid)
            fl = w.inflight
            if p.deleted:
                J.check(s is None, f"profile {pid} was deleted (acknowledged) but is back: {s}")
                if not p.gone_checked:  # once by id; the list shows it stays gone
                    r = c.get(J.profiles_path(self.cs, pid))
                    J.check(r.status == 404, f"GET of deleted profile {pid}: {r!r}")
                    p.gone_checked = True
                checked += 1
                continue
            if s is None:
                if fl and fl[0] == "delete" and fl[1] == pid:
                    p.deleted = True  # the unacknowledged delete was applied
                    self.unknown_applied += 1
                    w.inflight = None
                else:
                    J.check(False, f"acknowledged profile {pid} ({p.fields['name']}) is missing after the crash")
                checked += 1
                continue
            r = c.get(J.profiles_path(self.cs, pid))
            rev = J.etag_revision(r.header("ETag"))
            got = fields_of(s)
            if got == p.fields and rev == (pid, p.revision):
                pass
            elif fl and fl[0] == "update" and fl[1] == pid and got == apply_change(p.fields, fl[2]) \
                    and rev == (pid, p.revision + 1):
                p.fields, p.revision = got, p.revision + 1
                p.updates += 1
                self.unknown_applied += 1
                w.inflight = None
            else:
                J.check(False, f"profile {pid}: stored {got} {r.header('ETag')}, acknowledged {p.fields} rev "
                               f"{p.revision}, in flight {fl}")
            J.check(r.status == 200 and fields_of(r.json) == got, f"GET {pid} disagrees with the list: {r!r}")
            checked += 1
        # Anything stored that nobody acknowledged must be the one create in flight of some client.
        for pid, s in stored.items():
            if pid in owned:
                continue
            match = [w for w in self.workers
                     if w.inflight and w.inflight[0] == "create" and w.inflight[1] == s["name"]]
            if not J.check(len(match) == 1 and fields_of(s) == match[0].inflight[2],
                           f"profile {pid} ({s}) was never acknowledged and matches no request in flight"):
                continue
            w = match[0]
            J.check(pid not in self.seen_ids, f"unacknowledged create got id {pid}, which was used before")
            J.check(pid > self.max_id_verified, f"id {pid} is not above the ids before the restart")
            r = c.get(J.profiles_path(self.cs, pid))
            rev = J.etag_revision(r.header("ETag"))
            w.profiles[pid] = Profile(pid, fields_of(s), rev[1] if rev else 0, -1)
            self.seen_ids.add(pid)
            self.unknown_applied += 1
            w.inflight = None
        self.acks_checked += checked
        # The audit trail: exactly the applied changes.
        acts = J.all_activities(c, cs=self.cs)
        counts = {}
        for a in acts:
            if a["targetType"] != "ConnectedSystemRunProfile":
                continue
            key = (a["connectedSystemRunProfileId"], a["targetOperationType"])
            counts[key] = counts.get(key, 0) + 1
        expected = {}
        for w in self.workers:
            for p in w.profiles.values():
                expected[(p.id, "Create")] = 1
                if p.updates:
                    expected[(p.id, "Update")] = p.updates
                if p.deleted:
                    expected[(p.id, "Delete")] = 1
        for k in sorted(set(counts) | set(expected), key=str):
            J.check(counts.get(k, 0) == expected.get(k, 0),
                    f"activities for profile {k[0]} {k[1]}: {counts.get(k, 0)} stored, {expected.get(k, 0)} expected")
        for w in self.workers:
            w.inflight = None  # whatever was in flight did not happen
        if self.seen_ids:
            self.max_id_verified = max(self.seen_ids)
        return len(acts)

    # -- the cycles --------------------------------------------------------------------------------
    def run(self):
        base_seed = self.args.seed
        J.log(f"{self.args.cycles} kill cycles, seed {base_seed}, {THREADS} clients, data dir {self.data_dir}")
        server = J.Server(self.data_dir, ["--rate-limit", "off"], infra_key=self.key, label="setup").start()
        self.cs = J.create_system(server.client(key=self.key), "crash-consistency")
        server.kill9()
        t_start = time.monotonic()
        for cycle in range(self.args.cycles):
            rng = random.Random(base_seed * 1000 + cycle)
            server = J.Server(self.data_dir, ["--rate-limit", "off"], infra_key=self.key, label=f"c{cycle}").start()
            acks_before = sum(w.acks for w in self.workers)
            threads = [threading.Thread(target=self.work,
                                        args=(w, server.port, random.Random(rng.random()), cycle), daemon=True)
                       for w in self.workers]
            for t in threads:
                t.start()
            delay = rng.uniform(0.05, 1.5)
            time.sleep(delay)
            server.kill9()
            self.kills += 1
            for t in threads:
                t.join(30)
                J.check(not t.is_alive(), "a client thread did not stop after the kill")
            acks = sum(w.acks for w in self.workers) - acks_before
            unknown = sum(1 for w in self.workers if w.inflight)
            self.unknown_total += unknown
            if rng.random() < 0.25:
                # Crash again during recovery: the next start must still find everything.
                s2 = J.Server(self.data_dir, ["--rate-limit", "off"], infra_key=self.key, label=f"c{cycle}-recover")
                s2.spawn()
                time.sleep(rng.uniform(0.0, 0.08))
                s2.kill9()
                self.kills += 1
                self.startup_kills += 1
            server = J.Server(self.data_dir, ["--rate-limit", "off"], infra_key=self.key, label=f"c{cycle}-check").start()
            n_acts = self.verify(server)
            rc, secs = server.terminate()
            J.check(rc == 0, f"clean stop after verification exited {rc}")
            J.log(f"cycle {cycle}: killed after {delay:.2f} s, {acks} acknowledged, {unknown} in flight; "
                  f"verified {sum(len(w.profiles) for w in self.workers)} profiles, {n_acts} activities")
            if J.failures():
                J.log(f"stopping at cycle {cycle} (seed {base_seed}) to keep the evidence in {self.data_dir}")
                break
        self.acks_total = sum(w.acks for w in self.workers)
        J.log(f"done in {time.monotonic() - t_start:.1f} s")
        if not J.failures():
            J.rmtree(self.data_dir)
        J.finish(f"{self.kills} kill -9 ({self.startup_kills} during recovery) over {self.args.cycles} cycles, "
                 f"{self.acks_total} acknowledged writes, {self.acks_checked} acknowledged-state checks, "
                 f"{self.unknown_applied} of {self.unknown_total} in-flight requests found applied, seed {base_seed}")


def apply_change(fields, change):
    out = dict(fields)
    out["name"] = change["name"]
    out["pageSize"] = change["pageSize"]
    if "filePath" in change:
        out["filePath"] = change["filePath"] or None
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cycles", type=int, default=int(os.environ.get("JIM_CRASH_CYCLES", "20")))
    ap.add_argument("--seed", type=int,
                    default=int(os.environ.get("JIM_CRASH_SEED", str(random.SystemRandom().randrange(1, 1 << 30)))))
    Run(ap.parse_args()).run()


if __name__ == "__main__":
    J.main_guard(main)
