# belay's filesystem helpers, installed once per session in the raw REPL's
# globals (every later fs snippet calls them; after a soft reset the host
# installs them again). The algorithm choice below matches the connect-time
# probe (probe.py, capabilities.ts), so both sides hash alike.
#
# Hash algorithms, best first (the host computes the same to compare):
#   sha256   hashlib.sha256
#   crc32    binascii.crc32, when hashlib is missing
#   adler32  pure Python, when both are missing (slow, but always there)
# Memory: one shared 512-byte buffer; nothing grows with file size.
import os
import sys
import gc

try:
    import json
except ImportError:
    import ujson as json

try:
    import hashlib as _bhl

    if not hasattr(_bhl, "sha256"):
        _bhl = None
except ImportError:
    _bhl = None
try:
    import binascii as _bba
except ImportError:
    _bba = None

_bbuf = bytearray(512)
_bmv = memoryview(_bbuf)


class _BCrc:
    def __init__(self):
        self.v = 0

    def update(self, data):
        self.v = _bba.crc32(data, self.v)

    def hexdigest(self):
        return "%08x" % (self.v & 0xFFFFFFFF)

    def num(self):
        return self.v & 0xFFFFFFFF


class _BAdler:
    def __init__(self):
        self.a = 1
        self.b = 0

    def update(self, data):
        a = self.a
        b = self.b
        i = 0
        # Reduce every 1024 bytes so the sums stay small ints (no bignums).
        for x in data:
            a += x
            b += a
            i += 1
            if i == 1024:
                a %= 65521
                b %= 65521
                i = 0
        self.a = a % 65521
        self.b = b % 65521

    def hexdigest(self):
        return "%08x" % ((self.b << 16) | self.a)

    def num(self):
        return (self.b << 16) | self.a


class _BSha:
    def __init__(self):
        self.h = _bhl.sha256()
        self.update = self.h.update

    def hexdigest(self):
        return "".join("%02x" % x for x in self.h.digest())

    def num(self):
        # The digest as one (long) int: cheap to XOR (fs_tree.py _bdig).
        return int.from_bytes(self.h.digest(), "big")


if _bhl:
    _balgo = "sha256"
    _bnew = _BSha
elif _bba and hasattr(_bba, "crc32"):
    _balgo = "crc32"
    _bnew = _BCrc
else:
    _balgo = "adler32"
    _bnew = _BAdler


_bgn = 0


def _bgc():
    # Collects when the heap runs low, called once per step of every loop
    # that makes garbage (looking every 8th call: gc.mem_free() walks the
    # heap's table). A board also collects when an allocation fails, but on
    # a 32 KiB heap garbage left to pile up fragments it so that the next
    # buffer finds no block (and the emulated board cannot collect on a
    # failed allocation at all).
    global _bgn
    _bgn = (_bgn + 1) & 7
    if _bgn == 0 and gc.mem_free() < 12288:
        gc.collect()


def _bhash(p, h=None, o=0, n=-1):
    # The hash of file p (continuing h, when given), or of n bytes of it
    # from offset o (a negative n never reaches 0: to the end).
    if h is None:
        h = _bnew()
    with open(p, "rb") as f:
        f.seek(o)
        while n:
            k = f.readinto(_bbuf if n < 0 or n > 511 else _bmv[:n])
            if not k:
                break
            h.update(_bbuf if k == 512 else _bmv[:k])
            n -= k
            _bgc()
    return h.hexdigest()


def _bkind(p):
    # 'd', 'f' or None (absent); the size for files.
    try:
        s = os.stat(p)
    except OSError:
        return None, 0
    return ("d" if s[0] & 0x4000 else "f"), s[6]


def _bjoin(d, n):
    return d + n if d.endswith("/") else d + "/" + n


def _bpeak(base, peak):
    # Heap in use since a transfer started, garbage included; collects early
    # so small boards never run short (crc32 makes bignum garbage).
    m = gc.mem_alloc() - base
    if m > 8192:
        gc.collect()
        m = gc.mem_alloc() - base
    return m if m > peak else peak
