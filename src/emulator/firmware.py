# Start-up patch of the emulated board (see firmware-patch.ts): adds the
# `machine` module boards have, makes gc.collect() collect at once on a fixed
# heap (the port alone defers it), and hides features a test asked to hide.
# Everything lives inside _belay_patch so that user code rebinding names in
# __main__ (import sys, del x) cannot break it.


def _belay_patch(unique_id, hide, fixed_heap):
    import sys
    import builtins
    import _belay_emulator

    class Machine:
        """The part of `machine` that belay and simple programs use."""

        def reset(self):
            _belay_emulator.hard_reset()

        def soft_reset(self):
            raise SystemExit

        def unique_id(self):
            return self._unique_id

        def freq(self):
            return 125000000

    # Set from out here: inside the class, the method of the same name hides
    # the argument, and machine.unique_id() raised NameError.
    Machine._unique_id = bytes.fromhex(unique_id)
    sys.modules["machine"] = Machine()

    if fixed_heap:
        import gc as real_gc

        class Gc:
            """gc, whose collect() collects now, as on a board."""

            def collect(self):
                _belay_emulator.collect()

            def __getattr__(self, name):
                return getattr(real_gc, name)

        sys.modules["gc"] = Gc()
        # The emulator's collection runs the real one under this name.
        sys.modules["_belay_gc"] = real_gc

    if not hide:
        return

    real_sys = sys
    real_import = builtins.__import__

    class Stdin:
        """sys.stdin without .buffer, as on ports that lack it."""

        def read(self, n=-1):
            return real_sys.stdin.read(n)

        def readline(self):
            return real_sys.stdin.readline()

    class Sys:
        def __getattr__(self, name):
            if name == "stdin" and "stdin.buffer" in hide:
                return Stdin()
            return getattr(real_sys, name)

    fake_sys = Sys()

    def hiding_import(name, *args):
        if name in hide:
            raise ImportError("no module named '%s'" % name)
        if name == "sys" and "stdin.buffer" in hide:
            return fake_sys
        return real_import(name, *args)

    builtins.__import__ = hiding_import


_belay_patch(_UNIQUE_ID, _HIDE, _FIXED_HEAP)
del _belay_patch, _UNIQUE_ID, _HIDE, _FIXED_HEAP
