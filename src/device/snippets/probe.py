# The one capability probe, run once per connection that needs it
# (device.ts): what this board offers and whether a belay transaction was
# left unfinished. Prints one JSON line. Kept small: it runs before anything
# else on boards with tens of KiB of heap, and removes its own names
# afterwards. (Fewer bytes are possible, a feature table split from one
# string, but they cost about 1 KB more heap at their peak.)
import sys
import os
import gc


def _bprobe():
    try:
        import json
    except ImportError:
        import ujson as json

    def has(module, attr):
        try:
            return hasattr(__import__(module), attr)
        except ImportError:
            return False

    # The receive buffer size, where the firmware tells it (the emulated
    # board does); None means unknown and the host stays conservative.
    try:
        import _belay_emulator

        rx = getattr(_belay_emulator, "rx_buffer", None)
    except ImportError:
        rx = None
    # Records an interrupted transaction leaves behind (device/fs/transaction.ts);
    # an empty /.belay is one cut before its first record was made.
    try:
        names = os.listdir("/.belay")
    except OSError:
        names = None
    # Helper groups a previous session installed (board-code.ts): the raw
    # REPL keeps its globals until a reset, so they need not be sent again.
    helpers = {}
    for k in globals():
        if k.startswith("_bv_"):
            helpers[k[4:]] = globals()[k]
    pending = []
    if names is not None:
        pending = [n for n in names if n in ("journal.json", "intent.log", ".belay-tmp-journal")]
        if not names:
            pending = ["/.belay"]
    print(
        json.dumps(
            {
                "platform": sys.platform,
                "hashlib": has("hashlib", "sha256"),
                "binascii": has("binascii", "a2b_base64"),
                "crc32": has("binascii", "crc32"),
                "deflate": has("deflate", "DeflateIO"),
                "iobase": has("io", "IOBase"),
                "mem_free": gc.mem_free() if hasattr(gc, "mem_free") else None,
                "stdin_buffer": hasattr(sys.stdin, "buffer"),
                "stdout_buffer": hasattr(sys.stdout, "buffer"),
                "rx_buffer": rx,
                "pending": pending,
                "helpers": helpers,
            }
        )
    )


_bprobe()
del _bprobe
