# The one capability probe, run once per connection that needs it
# (device.ts): what this board offers and whether a belay transaction was
# left unfinished. Prints one JSON line. Kept small: it runs before anything
# else on boards with tens of KiB of heap. (Fewer bytes are possible, a
# feature table split from one string, but they cost about 1 KB more heap at
# their peak.)
#
# This file only defines _bprobe; probe-program.ts adds the lines that call
# it and then delete it, or, on a board with heap to spare, keep it in the
# raw REPL's globals under a name that carries a fingerprint of this code,
# so the next connection calls it in a few bytes instead of sending it.
# Even a few lines more in this program can leave a 32 KiB board too
# fragmented for the helpers that follow: the keeping lines go only to
# boards with room.
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
    # Garbage earlier programs left (the raw REPL collects only when an
    # allocation fails) is free heap to every program that follows: counted
    # as used, a board kept between commands looks several times smaller.
    gc.collect()
    # One JSON list, in the order capabilities.ts reads it: no key names on the wire.
    print(
        json.dumps(
            [
                sys.platform,
                has("hashlib", "sha256"),
                has("binascii", "a2b_base64"),
                has("binascii", "crc32"),
                has("deflate", "DeflateIO"),
                has("io", "IOBase"),
                gc.mem_free() if hasattr(gc, "mem_free") else None,
                hasattr(sys.stdin, "buffer"),
                hasattr(sys.stdout, "buffer"),
                rx,
                pending,
                helpers,
                names is not None and "helpers" in names,
            ]
        )
    )
