# Prints one JSON object describing the board: firmware, memory and
# filesystem figures (the features come from the connect-time probe,
# probe.py). Runs on any MicroPython port.
import sys
import gc
import os

try:
    import json
except ImportError:
    json = None


def _info():
    impl = sys.implementation
    r = {
        "implementation": impl.name,
        "version": ".".join(str(n) for n in impl.version[:3]),
        "platform": sys.platform,
        "machine": getattr(impl, "_machine", None),
        "mpy": getattr(impl, "_mpy", None),
    }
    try:
        r["release"] = os.uname().release
    except AttributeError:
        pass
    try:
        import machine

        uid = machine.unique_id()
        r["unique_id"] = "".join("%02x" % b for b in uid)
    except Exception:
        r["unique_id"] = None
    gc.collect()
    try:
        r["mem_free"] = gc.mem_free()
        r["mem_alloc"] = gc.mem_alloc()
    except AttributeError:
        pass
    try:
        s = os.statvfs("/")
        r["fs_size"] = s[1] * s[2]
        r["fs_free"] = s[1] * s[3]
    except (AttributeError, OSError):
        pass
    r["json"] = json is not None
    return r


if json:
    print(json.dumps(_info()))
else:
    print(repr(_info()))
del _info
