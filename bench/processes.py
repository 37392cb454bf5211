"""What a benchmark script starts (gunicorn, nginx) is stopped however the script ends.

    WORK, children, stop_everything = processes.scratch("newsroom-bench-")

WORK is a temporary folder for media, configs and logs; append each started process (started
with start_new_session=True, so its whole group can be signalled) to `children`. At exit --
normal, an exception, Ctrl-C or SIGTERM -- every child group still running gets SIGTERM, then
SIGKILL after 10 s, and WORK is removed. stop_everything() may also be called early.
"""

import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path


def scratch(prefix):
    work = Path(tempfile.mkdtemp(prefix=prefix))
    children = []

    def stop_everything():
        for process in reversed(children):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(timeout=10)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    os.killpg(process.pid, signal.SIGKILL)
        children.clear()
        shutil.rmtree(work, ignore_errors=True)

    atexit.register(stop_everything)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    return work, children, stop_everything
