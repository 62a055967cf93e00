# SPDX-License-Identifier: Apache-2.0
"""The Python tests' harness: a failed expectation (check), a runner that
prints one "ok"/"FAIL" line per test function and the closing
"N passed, M failed" line, and the loader for generated *_pb2 modules.

    sys.path.insert(0, <tests/lib>); from checks import Failure, check, Results
"""
import importlib.util
import time
import traceback


class Failure(Exception):
    """An expectation that did not hold: reported without a traceback."""


def check(cond, what):
    if not cond:
        raise Failure(what)


def load_module(path, name):
    """Import the Python file at path as module name."""
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class Results:
    """Test outcomes.  known_bugs: name -> reason; such a test's failure is
    XFAIL (not counted) unless strict."""

    def __init__(self, known_bugs=None, strict=False):
        self.results = []  # (name, None | error text | "xfail")
        self.known_bugs = known_bugs or {}
        self.strict = strict

    def ok(self, name, note=""):
        self.results.append((name, None))
        print("ok    %-44s %s" % (name, note), flush=True)

    def fail(self, name, err):
        self.results.append((name, err))
        print("FAIL  %-44s %s" % (name, err), flush=True)

    def expect(self, name, cond, err):
        """ok(name) if cond, else fail(name, err)."""
        if cond:
            self.ok(name)
        else:
            self.fail(name, err)

    def run(self, tests):
        """Call each function; a Failure or any exception fails it."""
        for fn in tests:
            name = fn.__name__
            t0 = time.time()
            try:
                fn()
                err = None
            except Exception as e:  # noqa: BLE001 - every failure is reported
                err = str(e) if isinstance(e, Failure) else traceback.format_exc()
            took = "%.2fs" % (time.time() - t0)
            if name in self.known_bugs and not self.strict:
                if err is None:
                    self.ok(name, took + " XPASS: known bug fixed? drop it from the list")
                else:
                    print("XFAIL %-44s known bug: %s\n      %s"
                          % (name, self.known_bugs[name], err), flush=True)
                    self.results.append((name, "xfail"))
            elif err is None:
                self.ok(name, took)
            else:
                self.fail(name, err)

    def summary(self):
        """Print the totals; the process exit code."""
        failed = [r for r in self.results if r[1] is not None and r[1] != "xfail"]
        xfail = [r for r in self.results if r[1] == "xfail"]
        if xfail:
            print("known bugs (XFAIL): %d" % len(xfail))
        print("%d passed, %d failed" % (len(self.results) - len(failed) - len(xfail),
                                        len(failed)))
        return 1 if failed or not self.results else 0
