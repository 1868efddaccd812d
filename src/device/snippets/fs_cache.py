# The helpers' copy on the board's own flash (device/fs/helper-cache.ts):
# each helper file is saved once under /.belay/helpers as NAME-DIGEST.py,
# and later sessions run it from there into the raw REPL's globals instead
# of receiving it again over the link. A saved file runs only when the
# sha256 of its bytes is the digest the host expects: a copy a power cut
# left short, a copy of another belay version, or anything else found
# under that name is saved anew, never run. That check on every load is
# why a save writes the file in place rather than through a temp: a torn
# file can never pass it.
#
# This file is sent before fs_cache_load.py or fs_cache_save.py, in the
# same program, which deletes all of it again (no global of it stays).
# Only boards with hashlib.sha256 and binascii, and heap to spare, get it.


def _bhd(n, h):
    return "/.belay/helpers/%s-%s.py" % (n, h[:16])


def _bdg(data):
    import hashlib
    import binascii

    return binascii.hexlify(hashlib.sha256(data).digest())[:32].decode()


def _bmark(gs, skip):
    # Sets the version marker of each group of gs ([[group, version, file...]])
    # none of whose files is in skip (board-code.ts reads the markers).
    for g in gs:
        if not [n for n in g[2:] if n in skip]:
            globals()["_bv_" + g[0]] = g[1]
