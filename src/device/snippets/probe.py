# The one capability probe, run once per connection (device.ts): what this
# board offers and whether a belay transaction was left unfinished. Prints
# one JSON line. Kept small: it runs before anything else on boards with
# tens of KiB of heap, and removes its own names afterwards.
import sys
import os


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
                "stdin_buffer": hasattr(sys.stdin, "buffer"),
                "stdout_buffer": hasattr(sys.stdout, "buffer"),
                "rx_buffer": rx,
                "pending": pending,
            }
        )
    )


_bprobe()
del _bprobe
