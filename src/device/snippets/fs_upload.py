# _bup(tmp, target, size, q, mk, z): the stdin receiver that stages an upload
# (_brx, the frame reader, and _BFr, frames as one stream, serve the batch
# receiver of fs_batch.py too).
# Records the temp (and with mk the missing parents) in the intent log
# (fs_tx.py), writes the bytes the host streams into tmp, then hashes tmp
# back from flash, so the host compares what the flash holds, not only what
# passed through RAM. The host keeps the staged file (a later commit renames
# it) or has it removed. Part of the fs helpers.
#
# Ctrl-C is disabled (kbd_intr(-1)) so every byte value is data. Frames from
# the host:  [0x80|n>>8, n&255] + n bytes (1 <= n <= size)
#            [0x88, 0]  end of data      anything else: abort (clean up)
# z: 0, or the payload is one raw deflate stream (window 2**z bytes) that
# is decompressed as it arrives; what reaches tmp, and its hash, is the
# same either way.
# Flow control counts bytes, not frames: the board answers b"A" each time
# it has taken another q bytes of the stream into RAM, and the host never
# has more than its window in flight (at most the board's receive buffer),
# so nothing is dropped however the frames are cut. The other answers:
#   G ready   X a write failed (the host stops at the next frame; the board
#   drains until then)
#   H + JSON line [size, algorithm, digest, peak heap]: tmp as read back from
#   flash (a list, not an object: fewer bytes on slow links); then the host
#   sends CC (keep the staged file), CJ or CN (keep it and commit it now,
#   with or without a journal: D, then the JSON line [missing, names] of the
#   commit) or anything else (remove tmp)   D kept
# A write error is raised after tmp is removed, so it reaches the host as an
# ordinary traceback. Heap: size bytes + a few objects (with z: the window
# and a 512-byte output buffer), allocated up front.
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


def _bup(tmp, target, size, q, mk, z):
    import micropython

    _bprep(tmp, target, mk)
    gc.collect()
    base = gc.mem_alloc()
    frame, mv = _brx(size, q)
    hv = memoryview(bytearray(2))
    rd = sys.stdin.buffer.readinto
    wr = sys.stdout.buffer.write
    f = open(tmp, "wb")
    fw = f.write
    err = None
    end = 0
    peak = 0
    micropython.kbd_intr(-1)
    try:
        wr(b"G")
        if z:
            end, err, peak = _bunz(frame, mv, fw, z, base)
        else:
            while True:
                n = frame()
                if n <= 0:
                    end = n
                    break
                if err is None:
                    try:
                        fw(mv[:n])
                    except Exception as e:
                        err = e
                        wr(b"X")
                peak = _bpeak(base, peak)
        try:
            f.close()
        except Exception as e:
            err = err or e
        if end == 0 and err is None:
            wr(b"H")
            wr(json.dumps([os.stat(tmp)[6], _balgo, _bhash(tmp), peak]).encode())
            wr(b"\n")
            rd(hv)
            if hv[0] == 0x43 and hv[1] in (0x43, 0x4A, 0x4E):
                wr(b"D")
                if hv[1] != 0x43:
                    # Committed here, saving a program per file: J under a
                    # journal, N a lone rename (_bcommit, fs_tx.py).
                    j = {"m": [], "r": [[tmp, target]], "x": [], "y": []}
                    r = _bcommit(j, hv[1] == 0x4A)
                    wr(json.dumps([r["missing"], r["names"]]).encode())
                    wr(b"\n")
                return
        try:
            os.remove(tmp)
        except OSError:
            pass
        if err:
            raise err
    finally:
        micropython.kbd_intr(3)
