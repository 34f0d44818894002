"""Work done by a second process while the build goes on: `Background(fn)` forks, the child runs
`fn()` and sends back its result (pickled), and `result()` waits for it. On a machine with one
processor, without fork, or with PORTAL_PARALLEL=0, `fn` runs at once in the build's process.

The child is a copy of the build at the moment of the fork: it reads what the build has, and
nothing it changes is seen by the build except the result.

The build's objects are frozen for the garbage collector around the fork (gc.freeze): a collection
in the child would otherwise write into every object's header and copy every memory page the two
processes share (a second of CPU for a child that reads all 2,000 procedures).
"""
from __future__ import annotations

import gc
import os
import pickle


def can_fork() -> bool:
    return hasattr(os, "fork") and (os.cpu_count() or 1) >= 2 and os.environ.get("PORTAL_PARALLEL") != "0"


class Background:
    def __init__(self, fn, parallel: bool = True):
        self._pid = None
        if not (parallel and can_fork()):
            self._value = fn()
            return
        read_end, write_end = os.pipe()
        gc.freeze()
        pid = os.fork()
        if pid != 0:
            gc.unfreeze()
        if pid == 0:  # the child: never returns into the build
            try:
                os.close(read_end)
                try:
                    payload = pickle.dumps(("ok", fn()), protocol=pickle.HIGHEST_PROTOCOL)
                except BaseException:  # noqa: BLE001 (reported by the build's process)
                    import traceback

                    payload = pickle.dumps(("error", traceback.format_exc()))
                with os.fdopen(write_end, "wb") as out:
                    out.write(payload)
            finally:
                os._exit(0)
        os.close(write_end)
        self._pid, self._read = pid, read_end

    def result(self):
        if self._pid is None:
            return self._value
        pid, self._pid = self._pid, None
        with os.fdopen(self._read, "rb") as got:
            try:  # straight from the pipe: the answer's bytes are never held whole
                kind, value = pickle.load(got)
            except Exception:  # noqa: BLE001
                kind, value = "error", "the second process ended without an answer"
            while got.read(1 << 16):  # whatever is left, so that the child is never stuck writing
                pass
        os.waitpid(pid, 0)
        if kind != "ok":
            raise RuntimeError("portal_core: work in the second process failed:\n" + value)
        self._value = value
        return value
