# Start-up patch of the emulated board (see firmware-patch.ts).
# _UNIQUE_ID and _HIDE are defined just before this text.
import sys
import builtins
import _belay_emulator


class _Machine:
    """The part of `machine` that belay and simple programs use."""

    def reset(self):
        _belay_emulator.hard_reset()

    def soft_reset(self):
        raise SystemExit

    def unique_id(self):
        return bytes.fromhex(_UNIQUE_ID)

    def freq(self):
        return 125000000


sys.modules["machine"] = _Machine()

if _HIDE:

    class _Stdin:
        """sys.stdin without .buffer, as on ports that lack it."""

        def read(self, n=-1):
            return sys.stdin.read(n)

        def readline(self):
            return sys.stdin.readline()

    class _Sys:
        def __getattr__(self, name):
            if name == "stdin" and "stdin.buffer" in _HIDE:
                return _Stdin()
            return getattr(sys, name)

    _fake_sys = _Sys()
    _real_import = builtins.__import__

    def _import(name, *args):
        if name in _HIDE:
            raise ImportError("no module named '%s'" % name)
        if name == "sys" and "stdin.buffer" in _HIDE:
            return _fake_sys
        return _real_import(name, *args)

    builtins.__import__ = _import

del _Machine
