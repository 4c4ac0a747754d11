#!/usr/bin/env python3
"""The last reliability test: no API key plaintext and no SHA-256 digest of one appears in any server log
written by the whole reliability suite (every driver registers the keys it used, see jimrel.py)."""
import os

import jimrel as J


def main():
    keys = J.all_registered_secrets()
    logs = os.listdir(J.LOG_DIR)
    if not keys or not logs:
        J.skip(f"no keys ({len(keys)}) or server logs ({len(logs)}) registered by the suite: run it first")
    n_logs, n_keys = J.scan_logs_for_secrets(only_own=False)
    size = sum(os.path.getsize(os.path.join(J.LOG_DIR, n)) for n in logs)
    J.finish(f"{n_keys} keys and their digests grepped in {n_logs} server logs ({size >> 10} KiB)")


if __name__ == "__main__":
    J.main_guard(main)
