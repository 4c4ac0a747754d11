#!/usr/bin/env python3
"""Full disk: the data dir on a 96 MiB tmpfs, the server started with --min-free-mb 16.

Fill the tmpfs with a filler file until less than the floor is free: writes must answer a 503
SERVICE_UNAVAILABLE envelope with Retry-After, reads 200, /health/ready 503 (live 200). Delete the
filler: writes resume without a restart. Restart: every acknowledged write is there, none lost.
Then the harder case: a floor of 0 MB and the tmpfs filled to the last byte (real ENOSPC): the server
must answer 503 (or stay up for reads), never die, and recover once space is back.
Needs mount(2) (root); where it is not permitted the test prints SKIPPED and exits 77.
"""
import os
import subprocess
import time

import jimrel as J

SIZE_MB = 96
FLOOR_MB = 16


def mount_tmpfs(path):
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE_MB}m", "tmpfs", path], capture_output=True, text=True)
    return p.returncode == 0, (p.stderr or p.stdout).strip()


def free_bytes(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def fill(path, leave_bytes):
    """Grows the filler so that about `leave_bytes` stay free; returns the filler's path."""
    filler = os.path.join(path, "filler")
    size = max(0, free_bytes(path) - leave_bytes)
    with open(filler, "ab") as f:
        chunk = b"\0" * (1 << 20)
        while size > 0:
            n = min(size, len(chunk))
            try:
                f.write(chunk[:n])
                f.flush()
            except OSError:
                break
            size -= n
    return filler


def create(c, cs, name):
    return c.post(J.profiles_path(cs), {"name": name, "runType": "FullImport"})


def main():
    if os.geteuid() != 0:
        J.skip("mounting a tmpfs needs root")
    mnt = J.fresh_dir("tmpfs")
    ok, why = mount_tmpfs(mnt)
    if not ok:
        J.rmtree(mnt)
        J.skip(f"mount -t tmpfs is not permitted here ({why})")
    try:
        run(mnt)
    finally:
        J.stop_all()
        subprocess.run(["umount", "-l", mnt], capture_output=True)
        J.rmtree(mnt)
    J.finish(SUMMARY[0])


SUMMARY = [""]


def run(mnt):
    key = J.new_key()
    data = os.path.join(mnt, "data")
    server = J.Server(data, ["--min-free-mb", str(FLOOR_MB), "--rate-limit", "off"], infra_key=key, label="floor").start()
    c = server.client(key=key)
    cs = J.create_system(c, "full-disk")
    acked = {}
    for i in range(20):
        r = create(c, cs, f"before-{i}")
        if J.check(r.status == 201, f"create before filling: {r!r}"):
            acked[r.json["id"]] = r.json["name"]

    filler = fill(mnt, (FLOOR_MB // 2) << 20)
    J.log(f"filled: {free_bytes(mnt) >> 20} MiB free of {SIZE_MB} (floor {FLOOR_MB} MiB)")
    time.sleep(0.3)  # the free-space check is cached for ~100 ms
    refused = 0
    for i in range(10):
        r = create(c, cs, f"while-full-{i}")
        if r.status == 201:
            acked[r.json["id"]] = r.json["name"]
            J.check(False, "a write was accepted below the free-space floor")
            continue
        refused += 1
        J.check(r.status == 503 and r.is_envelope("SERVICE_UNAVAILABLE"), f"write below the floor: {r!r}")
        J.check((r.header("Retry-After") or "").isdigit(), f"503 without a numeric Retry-After: {r.headers}")
    r = c.put(f"{J.CS}/{cs}", {"description": "changed"})
    J.check(r.status == 503 and r.is_envelope("SERVICE_UNAVAILABLE"), f"system update below the floor: {r!r}")
    r = c.post(J.CS, {"name": "another", "connectorDefinitionId": 1})
    J.check(r.status == 503, f"system create below the floor: {r!r}")
    r = c.get(J.profiles_path(cs))
    J.check(r.status == 200 and len(r.json) == len(acked), f"read below the floor: {r.status}, {len(r.json or [])} items")
    r = c.get(f"{J.CS}/{cs}")
    J.check(r.status == 200, f"GET system below the floor: {r!r}")
    r = c.get("/api/v1/health/ready")
    J.check(r.status == 503 and r.json.get("status") == "not_ready", f"ready below the floor: {r!r}")
    J.log(f"ready while full: {r.status} {r.body.decode()}")
    r = c.get("/api/v1/health/live")
    J.check(r.status == 200, f"live below the floor: {r!r}")

    # A restart while the disk is full (a crash, a reboot): the server must come back for reads.
    rc, _ = server.terminate()
    J.check(rc == 0, f"stop while full exited {rc}")
    fill(mnt, (FLOOR_MB // 2) << 20)  # the stop may have released preallocated space
    J.log(f"restarting with {free_bytes(mnt) >> 20} MiB free")
    try:
        server = J.Server(data, ["--min-free-mb", str(FLOOR_MB), "--rate-limit", "off"], infra_key=key,
                          label="restart-full").start()
        c = server.client(key=key)
        r = c.get(J.profiles_path(cs))
        J.check(r.status == 200 and len(r.json) == len(acked), f"read after a restart on a full disk: {r!r}")
        r = create(c, cs, "after-restart-full")
        J.check(r.status == 503 and r.is_envelope("SERVICE_UNAVAILABLE"), f"write after a restart on a full disk: {r!r}")
        J.check(c.get("/api/v1/health/ready").status == 503, "ready after a restart on a full disk")
        restarted_full = True
    except J.ServerFailed as e:
        J.check(False, f"the server does not start on a full disk (it should serve reads): {e}")
        restarted_full = False
        server = J.Server(data, ["--min-free-mb", str(FLOOR_MB), "--rate-limit", "off"], infra_key=key, label="floor2")

    os.unlink(filler)
    J.log(f"filler removed: {free_bytes(mnt) >> 20} MiB free")
    if not restarted_full:
        server.start()
        c = server.client(key=key)
    resumed = J.wait_until(lambda: create(c, cs, "after-free").status == 201 or None, timeout=10, interval=0.2)
    J.check(resumed, "writes did not resume within 10 s of freeing space (without a restart)")
    r = c.get(J.profiles_path(cs))
    for p in r.json:
        if p["name"] == "after-free":
            acked[p["id"]] = p["name"]
    ready = J.wait_until(lambda: c.get("/api/v1/health/ready").status == 200, timeout=5)
    J.check(ready, "ready did not return to 200 after space came back")
    for i in range(10):
        r = create(c, cs, f"after-{i}")
        if J.check(r.status == 201, f"create after freeing space: {r!r}"):
            acked[r.json["id"]] = r.json["name"]
    rc, _ = server.terminate()
    J.check(rc == 0, f"stop exited {rc}")

    # Real ENOSPC: no floor, the file system filled to the last byte.
    server = J.Server(data, ["--min-free-mb", "0", "--rate-limit", "off"], infra_key=key, label="enospc").start()
    c = server.client(key=key)
    filler = fill(mnt, 0)
    J.log(f"filled to the last byte: {free_bytes(mnt)} bytes free")
    statuses = {}
    for i in range(30):
        try:
            r = create(c, cs, f"enospc-{i}")
        except Exception as e:
            statuses["transport error"] = statuses.get("transport error", 0) + 1
            if not server.alive():
                break
            continue
        statuses[r.status] = statuses.get(r.status, 0) + 1
        if r.status == 201:
            acked[r.json["id"]] = r.json["name"]
        else:
            J.check(r.status == 503 and r.is_envelope("SERVICE_UNAVAILABLE"), f"write on a full disk: {r!r}")
    J.log(f"writes on a full disk (no floor): {statuses}")
    J.check(server.alive(), f"the server died on ENOSPC:\n{server.log_tail()}")
    enospc_recovered = False
    if server.alive():
        r = c.get(J.profiles_path(cs))
        J.check(r.status == 200, f"read on a full disk: {r!r}")
        os.unlink(filler)
        enospc_recovered = J.wait_until(lambda: create(c, cs, "after-enospc").status == 201 or None,
                                        timeout=15, interval=0.3)
        J.check(enospc_recovered, "writes did not resume within 15 s after ENOSPC cleared")
        for p in c.get(J.profiles_path(cs)).json:
            if p["name"] == "after-enospc":
                acked[p["id"]] = p["name"]
        rc, _ = server.terminate()
        J.check(rc == 0, f"stop after ENOSPC exited {rc}")
    elif os.path.exists(filler):
        os.unlink(filler)

    # Nothing acknowledged is lost.
    server = J.Server(data, ["--rate-limit", "off"], infra_key=key, label="check").start()
    c = server.client(key=key)
    stored = {p["id"]: p["name"] for p in c.get(J.profiles_path(cs)).json}
    lost = [pid for pid in acked if stored.get(pid) != acked[pid]]
    J.check(not lost, f"acknowledged writes lost: {lost}")
    rc, _ = server.terminate()
    SUMMARY[0] = (f"{refused} writes refused with 503 below the floor, reads and live kept 200, restarted full: "
                  f"{restarted_full}, writes resumed "
                  f"without a restart; ENOSPC without a floor: {statuses}, recovered={enospc_recovered}; "
                  f"{len(acked)} acknowledged writes all present after restart")


if __name__ == "__main__":
    J.main_guard(main)
