#!/usr/bin/env python3
"""Prints, for each failed test of a ctest run, its name and the last lines of its output.

    scripts/failure_digest.py SINCE_EPOCH STAGE=BUILD_DIR [STAGE=BUILD_DIR ...]

scripts/test.sh calls it last when something failed: a CI log is often shown by its tail, and ctest's own
--output-on-failure output sits in the middle of 700 tests' lines. A build dir whose ctest files are older
than SINCE_EPOCH (a run of an earlier invocation) is skipped, so a stale failure is never reported.
"""
import os
import re
import sys

TAIL_LINES = 40
MARKED_LINES = 30  # lines that name a failure (gtest, Pester, the drivers), wherever they are in the output
MARK = re.compile(r"\[-\]|Failure|FAIL|Expected|error", re.I)


def failed_names(temporary, since):
    path = os.path.join(temporary, "LastTestsFailed.log")
    if not os.path.exists(path) or os.path.getmtime(path) < since:
        return []
    with open(path, encoding="utf-8", errors="replace") as f:
        return [line.split(":", 1)[1].strip() for line in f if ":" in line]


def outputs(temporary):
    """name -> the test's output lines, from ctest's LastTest.log."""
    path = os.path.join(temporary, "LastTest.log")
    result = {}
    if not os.path.exists(path):
        return result
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    for block in re.split(r"^\d+/\d+ Testing: ", text, flags=re.M)[1:]:
        name, _, rest = block.partition("\n")
        body = rest.split("Output:\n", 1)[-1].split("<end of output>", 1)[0]
        result[name.strip()] = body.strip("-\n").splitlines()
    return result


def main():
    since = float(sys.argv[1])
    for stage_dir in sys.argv[2:]:
        stage, _, build = stage_dir.partition("=")
        temporary = os.path.join(build, "Testing", "Temporary")
        names = failed_names(temporary, since)
        if not names:
            continue
        logs = outputs(temporary)
        for name in names:
            lines = logs.get(name, ["(no output recorded)"])
            marked = [line for line in lines[:-TAIL_LINES] if MARK.search(line)][:MARKED_LINES]
            if marked:
                print(f"---- FAILED [{stage}] {name}: lines that name a failure ----")
                print("\n".join(marked))
            print(f"---- FAILED [{stage}] {name}: last {min(TAIL_LINES, len(lines))} of {len(lines)} lines ----")
            print("\n".join(lines[-TAIL_LINES:]))


if __name__ == "__main__":
    main()
