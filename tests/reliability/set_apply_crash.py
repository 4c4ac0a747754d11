#!/usr/bin/env python3
"""Run-profile sets under kill -9: after a restart each system holds its old set or its new set, never a mix.

Each cycle: start jim-edge on the shared data dir; one keep-alive client per connected system keeps
applying large random sets (PUT .../run-profiles, a few hundred profiles drawn from a pool of names, so
every apply creates, updates, deletes and replaces some); kill -9 at a random moment; restart, then for
every system GET .../run-profiles?format=set must equal exactly the last acknowledged set, or the set
whose apply was in flight at the kill (its outcome is unknown) - never anything in between. The number
of run-profile activities of each system must match the changes of the applies that happened.

State accumulates over the cycles. Cycles: --cycles or JIM_SET_CRASH_CYCLES (default 10); seed: --seed
or JIM_SET_CRASH_SEED.
"""
import argparse
import os
import random
import threading
import time

import jimrel as J

SYSTEMS = 3
POOL = 600          # names a set draws from
SET_SIZE = (150, 400)
RUN_TYPES = ["FullImport", "DeltaImport", "FullSynchronisation", "DeltaSynchronisation", "Export"]


def random_set(rng):
    names = rng.sample(range(POOL), rng.randint(*SET_SIZE))
    items = []
    for n in names:
        items.append({
            "name": f"Profile {n:04d}",
            "runType": rng.choice(RUN_TYPES[:2]) if n % 3 == 0 else RUN_TYPES[n % 5],
            "pageSize": rng.choice([100, 250, 500]),
            "partitionId": None,
            "filePath": rng.choice([None, f"/data/{n}.csv"]),
            "verifyImportContentHashes": False,
        })
    return items


def normalise(items):
    """A set as a comparable value: name -> the other fields."""
    return {i["name"]: (i["runType"], i["pageSize"], i.get("partitionId"), i.get("filePath") or None,
                        bool(i.get("verifyImportContentHashes"))) for i in items}


def changes(before, after):
    """Activities an apply from `before` to `after` writes: creates + updates + deletes (a changed runType
    is a delete plus a create)."""
    n = 0
    for name, fields in after.items():
        old = before.get(name)
        if old is None:
            n += 1
        elif old[0] != fields[0]:
            n += 2
        elif old != fields:
            n += 1
    return n + sum(1 for name in before if name not in after)


class System:
    def __init__(self, cs):
        self.cs = cs
        self.acked = {}       # the last acknowledged set
        self.inflight = None  # the set whose apply had no answer when the server died
        self.activities = 0   # run-profile activities the applied sets must have written
        self.acks = 0


class Run:
    def __init__(self, args):
        self.args = args
        self.key = J.new_key()
        self.data_dir = J.fresh_dir("set-apply-crash")
        self.systems = []
        self.kills = 0
        self.inflight_applied = 0
        self.inflight_total = 0

    def work(self, system, port, rng):
        c = J.Client(port, key=self.key, timeout=30)
        path = J.profiles_path(system.cs)
        while True:
            items = random_set(rng)
            want = normalise(items)
            system.inflight = want
            try:
                r = c.put(path, {"runProfiles": items, "changeReason": "crash test"})
            except Exception:
                return  # the server is gone: the outcome of this apply is unknown
            system.inflight = None
            if not J.check(r.status == 200, f"apply on system {system.cs}: {r!r}"):
                return
            system.activities += changes(system.acked, want)
            system.acked = want
            system.acks += 1

    def verify(self, server):
        c = server.client(key=self.key, timeout=60)
        for s in self.systems:
            r = c.get(J.profiles_path(s.cs) + "?format=set")
            if not J.check(r.status == 200, f"export of system {s.cs}: {r!r}"):
                continue
            stored = normalise(r.json["runProfiles"])
            if s.inflight is not None and stored == s.inflight and stored != s.acked:
                self.inflight_applied += 1
                s.activities += changes(s.acked, s.inflight)
                s.acked = s.inflight
            J.check(stored == s.acked,
                    f"system {s.cs} holds a set that is neither the acknowledged one ({len(s.acked)} profiles) nor "
                    f"the one in flight: {len(stored)} profiles, "
                    f"{sum(1 for k in stored if stored[k] != s.acked.get(k))} differ from the acknowledged set")
            acts = [a for a in J.all_activities(c, cs=s.cs) if a["targetType"] == "ConnectedSystemRunProfile"]
            J.check(len(acts) == s.activities,
                    f"system {s.cs}: {len(acts)} run-profile activities stored, {s.activities} expected")
            s.inflight = None

    def run(self):
        seed = self.args.seed
        J.log(f"{self.args.cycles} kill cycles, seed {seed}, {SYSTEMS} systems, data dir {self.data_dir}")
        server = J.Server(self.data_dir, ["--rate-limit", "off"], infra_key=self.key, label="setup").start()
        c = server.client(key=self.key)
        self.systems = [System(J.create_system(c, f"set-crash-{i}")) for i in range(SYSTEMS)]
        server.kill9()
        for cycle in range(self.args.cycles):
            rng = random.Random(seed * 1000 + cycle)
            server = J.Server(self.data_dir, ["--rate-limit", "off"], infra_key=self.key, label=f"c{cycle}").start()
            threads = [threading.Thread(target=self.work, args=(s, server.port, random.Random(rng.random())),
                                        daemon=True) for s in self.systems]
            for t in threads:
                t.start()
            delay = rng.uniform(0.2, 2.0)
            time.sleep(delay)
            server.kill9()
            self.kills += 1
            for t in threads:
                t.join(60)
                J.check(not t.is_alive(), "a client thread did not stop after the kill")
            self.inflight_total += sum(1 for s in self.systems if s.inflight is not None)
            server = J.Server(self.data_dir, ["--rate-limit", "off"], infra_key=self.key, label=f"c{cycle}-check").start()
            self.verify(server)
            rc, _ = server.terminate()
            J.check(rc == 0, f"clean stop after verification exited {rc}")
            J.log(f"cycle {cycle}: killed after {delay:.2f} s; sets of {[len(s.acked) for s in self.systems]} profiles")
            if J.failures():
                J.log(f"stopping at cycle {cycle} (seed {seed}) to keep the evidence in {self.data_dir}")
                break
        if not J.failures():
            J.rmtree(self.data_dir)
        J.finish(f"{self.kills} kill -9 over {self.args.cycles} cycles, {sum(s.acks for s in self.systems)} "
                 f"acknowledged applies, {self.inflight_applied} of {self.inflight_total} in-flight applies found "
                 f"applied (whole), seed {seed}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cycles", type=int, default=int(os.environ.get("JIM_SET_CRASH_CYCLES", "10")))
    ap.add_argument("--seed", type=int,
                    default=int(os.environ.get("JIM_SET_CRASH_SEED", str(random.SystemRandom().randrange(1, 1 << 30)))))
    Run(ap.parse_args()).run()


if __name__ == "__main__":
    J.main_guard(main)
