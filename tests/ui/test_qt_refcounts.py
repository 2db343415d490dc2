"""Guard against Qt bindings that leak references to True/None on every signal emit.

PySide6 6.12.0 decrements the refcount of True on each Python-side emit and of None on each
processEvents(); on Python 3.11 the interpreter aborts after a few thousand ("bool_dealloc"),
i.e. a long counter session would crash. Run in a subprocess so an abort fails this test
instead of killing the whole test run.
"""

import subprocess
import sys

import pytest

pytest.importorskip("PySide6")

SCRIPT = r"""
import sys
from PySide6.QtCore import QCoreApplication, QObject, Signal
app = QCoreApplication([])
class Emitter(QObject):
    sig = Signal(object)
e = Emitter()
e.sig.connect(lambda value: None)
before = sys.getrefcount(True), sys.getrefcount(None)
for _ in range(20000):
    e.sig.emit(1)
    app.processEvents()
after = sys.getrefcount(True), sys.getrefcount(None)
print(before[0] - after[0], before[1] - after[1])
"""


def test_many_signal_emits_do_not_exhaust_true_or_none():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                            timeout=120, env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""})
    assert result.returncode == 0, result.stderr[-500:]
    lost_true, lost_none = (int(x) for x in result.stdout.split())
    assert abs(lost_true) < 100 and abs(lost_none) < 100
