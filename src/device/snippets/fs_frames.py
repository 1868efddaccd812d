# The frame reader both upload receivers use (_bup in fs_upload.py, _bputs
# in fs_batch.py), part of the fs helpers. Frames from the host:
#   [0x80|n>>8, n&255] + n bytes (1 <= n <= size)
#   [0x88, 0] end of data      anything else: abort (or bytes not ours)
# Flow control counts bytes, not frames: the board answers b"A" each time it
# has taken another q bytes of the stream into RAM, and the host never has
# more than its window in flight (at most the board's receive buffer).
try:
    import io as _bio
except ImportError:
    _bio = None


class _BFr(getattr(_bio, "IOBase", object)):
    # The payloads of frame after frame as one stream: readinto() hands the
    # decompressor (deflate.DeflateIO pulls one byte at a time) a byte, get(n)
    # a view of up to n bytes inside the frame buffer (no copy). s: 1 while
    # frames come, then 0 (the end frame) or -1 (an abort).
    def __init__(self, frame, mv):
        self.f = frame
        self.mv = mv
        self.p = 0
        self.n = 0
        self.s = 1

    def more(self):
        # True when unread payload is in the buffer (reading a frame if needed).
        if self.p < self.n:
            return True
        if self.s < 1:
            return False
        n = self.f()
        if n <= 0:
            self.s = n
            return False
        self.p = 0
        self.n = n
        return True

    def readinto(self, b):
        if not self.more():
            return 0
        b[0] = self.mv[self.p]
        self.p += 1
        return 1

    def get(self, n):
        if not self.more():
            return None
        i = self.p
        if n > self.n - i:
            n = self.n - i
        self.p = i + n
        return self.mv[i : i + n]

    def rest(self):
        # Reads on to the end or abort frame; True if payload was left unread.
        left = self.p < self.n
        self.p = self.n
        while self.more():
            left = True
            self.p = self.n
        return left


def _brx(size, q):
    # The framed, credit-controlled reader both upload receivers use (_bup,
    # _bputs in fs_batch.py): returns (frame, mv), where frame() reads the
    # next frame's payload into mv and returns its length, 0 at the end
    # frame, -1 on an abort (or bytes that are not ours: stop there).
    buf = bytearray(size)
    mv = memoryview(buf)
    hv = memoryview(bytearray(2))
    rd = sys.stdin.buffer.readinto
    wr = sys.stdout.buffer.write
    got = 0

    def take(v):
        # Fills v, granting credit for every q bytes taken.
        nonlocal got
        i = 0
        m = len(v)
        while i < m:
            k = q - got
            if k > m - i:
                k = m - i
            rd(v[i : i + k])
            i += k
            got += k
            if got == q:
                wr(b"A")
                got = 0

    def frame():
        take(hv)
        hi = hv[0]
        if hi == 0x88 and hv[1] == 0:
            return 0
        n = ((hi & 7) << 8) | hv[1]
        if hi & 0xF8 != 0x80 or n == 0 or n > size:
            return -1
        take(mv[:n])
        return n

    return frame, mv


def _bwin(z):
    # The widest window, from the 2**z bytes the host asked for down, that
    # the heap has one free run for (deflate.DeflateIO allocates its window
    # in one piece, after its state of ~1.3 KB: 1.5 KB to spare): a heap a
    # long session fragmented can have far more free than 2**z and no run
    # that long. 0 when none fits: the stream must come uncompressed. A
    # receiver calls it first, before its own buffers: it collects, tries,
    # and collects the tries again. The receiver's go-ahead tells the host
    # which: b"G" as asked, else b"g" and the bits it has room for (the host
    # deflates again for them).
    gc.collect()
    if not z:
        return 0
    w = 0
    while z >= 9:
        try:
            bytearray((1 << z) + 1536)
            w = z
            break
        except MemoryError:
            z -= 1
    gc.collect()
    return w
