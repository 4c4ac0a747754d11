#!/usr/bin/env python3
"""Read-only or unwritable data dir: the server refuses to start with one clear sentence, non-zero.

Root ignores chmod 0555, so the cases use what stops root too:
  * a data dir path under a regular file (mkdir fails with ENOTDIR);
  * a fresh data dir on a tmpfs mounted read-only;
  * an existing, populated data dir whose tmpfs is remounted read-only (a read-only volume);
  * a data dir that is itself a regular file.
Each start must exit non-zero (not by a signal) within 10 s, print exactly one "jim-edge: ..." line
naming the problem and no stack trace, and never start listening. Each case runs 3 times to show the
behaviour is the same every time (no crash loop, no half-created state that changes the next start).
The mount cases need root; without it they are reported as skipped and the others still run.
"""
import os
import subprocess
import time

import jimrel as J

STARTS = 3


def attempt(data_dir, label):
    outcomes = []
    for i in range(STARTS):
        s = J.Server(data_dir, ["--rate-limit", "off"], infra_key=J.new_key(), label=f"{label}-{i}")
        s.spawn()
        t0 = time.monotonic()
        try:
            rc = s.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            rc = None
        secs = time.monotonic() - t0
        text = s.log_text()
        if rc is None:
            J.check(False, f"{label}: the server is still running after 10 s on an unwritable data dir:\n{text}")
            s.kill9()
            return None
        s._closed()
        lines = [l for l in text.splitlines() if l.strip()]
        J.check(rc > 0, f"{label}: exit status {rc} (want a non-zero exit, not a signal)")
        J.check("jim-edge started" not in text, f"{label}: the server started listening:\n{text}")
        J.check(len(lines) == 1 and lines[0].startswith("jim-edge: "),
                f"{label}: want one 'jim-edge: ...' sentence, got:\n{text}")
        for bad in ("terminate called", "Aborted", "Segmentation", "what():", "IO error: "):
            J.check(bad not in text, f"{label}: output contains '{bad}':\n{text}")
        outcomes.append((rc, lines[0] if lines else ""))
    J.check(len(set(outcomes)) == 1, f"{label}: the starts did not behave the same: {outcomes}")
    rc, line = outcomes[0]
    J.log(f"{label}: exit {rc} in {secs:.2f} s: {line}")
    return line


def main():
    cases = []
    base = J.fresh_dir("base")
    # Under a regular file.
    blocker = os.path.join(base, "a-file")
    open(blocker, "w").close()
    cases.append(("under-a-file", attempt(os.path.join(blocker, "data"), "under-a-file")))
    # The data dir is a regular file.
    cases.append(("is-a-file", attempt(blocker, "is-a-file")))

    if os.geteuid() != 0:
        J.log("SKIPPED the read-only mount cases: they need root")
    else:
        mnt = os.path.join(base, "ro")
        os.mkdir(mnt)
        p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256m", "tmpfs", mnt], capture_output=True, text=True)
        if p.returncode != 0:
            J.log(f"SKIPPED the read-only mount cases: mount is not permitted ({p.stderr.strip()})")
        else:
            try:
                # A populated data dir, then the volume goes read-only.
                key = J.new_key()
                data = os.path.join(mnt, "data")
                s = J.Server(data, ["--rate-limit", "off"], infra_key=key, label="populate").start()
                c = s.client(key=key)
                cs = J.create_system(c, "read-only")
                r = c.post(J.profiles_path(cs), {"name": "kept", "runType": "FullImport"})
                J.check(r.status == 201, f"create before going read-only: {r!r}")
                rc, _ = s.terminate()
                J.check(rc == 0, f"stop before going read-only exited {rc}")
                p = subprocess.run(["mount", "-o", "remount,ro", mnt], capture_output=True, text=True)
                if not J.check(p.returncode == 0, f"remount ro failed: {p.stderr}"):
                    raise RuntimeError("remount")
                cases.append(("populated-read-only-volume", attempt(data, "populated-read-only-volume")))
                cases.append(("fresh-dir-on-read-only-volume",
                              attempt(os.path.join(mnt, "fresh"), "fresh-dir-on-read-only-volume")))
                # The data survives: writable again, the same server starts and has it.
                subprocess.run(["mount", "-o", "remount,rw", mnt], check=True)
                s = J.Server(data, ["--rate-limit", "off"], infra_key=key, label="rw-again").start()
                r = s.client(key=key).get(J.profiles_path(cs))
                J.check(r.status == 200 and [p["name"] for p in r.json] == ["kept"],
                        f"data after the read-only starts: {r!r}")
                s.terminate()
            finally:
                J.stop_all()
                subprocess.run(["umount", "-l", mnt], capture_output=True)
    J.rmtree(base)
    J.finish("; ".join(f"{name}: {line}" for name, line in cases))


if __name__ == "__main__":
    J.main_guard(main)
