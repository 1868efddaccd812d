# _bputs(size, q, z, solo, pk): the receiver that stages a batch of files
# from one stream and commits them together (device/fs/upload-batch.ts).
# Part of the fs helpers; reads frames with fs_frames.py (_brx, _BFr).
#
# The host sends frames as to _bup (same framing, same byte-counting credit);
# their payload, decompressed when z (one raw deflate stream, window 2**z),
# is the batch: per file
#   b"F", size (4 bytes, little-endian), len(target), len(temp) (2 bytes
#   each), target and temp (UTF-8), then size bytes of content
# and b"E" after the last file. For each file the board records the temp (and
# each missing parent) in the intent log (_bprep) before creating it, writes
# it, hashes it back from flash and sends at once, without waiting:
#   H + JSON line [size, algorithm, digest, peak heap]
# where the digest covers the file's header record (b"F" to the temp's last
# byte) and then the temp's content as read from flash, so a name that came
# out otherwise than sent fails the check as wrong content does.
# A file whose temp is empty goes into the batch's pack pk instead (one file
# under /.belay, recorded before it is made), at its end, hashed back from
# there; the commit then writes each such target from its slice
# (fs_pack.py). On littlefs a temp beside each target costs more than
# its content: every name in a folder slows every create and rename in it.
# Other answers as _bup: A credit, G ready, X a write failed, Z the stream
# did not decompress or parse (the host aborts at the next frame; the board
# reads on to it). After the end frame and the last hash the board sends V,
# and the host answers CJ or CN (commit every temp onto its target, under a journal or not: D, then the
# JSON line [missing, names] of the commit, _bcommit) or anything else: every
# temp of the batch is removed (and with solo, nothing else being staged,
# the intent log rolled back: the folders made for it go too) and nothing is
# committed. A write error is raised after that cleanup, as a traceback.
# Heap: the frame buffer, a 512-byte buffer, (with z) the window and the
# decompressor's tables, and a [temp, target] pair per file.
def _bputs(size, q, z, solo, pk=None):
    import micropython

    zb = _bwin(z)
    base = gc.mem_alloc()
    frame, mv = _brx(size, q)
    r = _BFr(frame, mv)
    wr = sys.stdout.buffer.write
    ob = bytearray(512)
    om = memoryview(ob)
    d = None
    if zb:
        import deflate

        d = deflate.DeflateIO(r, deflate.RAW, zb)
    # The write error, and whether the stream went bad.
    st = [None, False]

    def chunk(n):
        # The next 1..n bytes of the batch (n <= 512), or None at its end.
        try:
            if d is None:
                return r.get(n)
            k = d.readinto(om[:n])
            return om[:k] if k else None
        except Exception as e:
            # A stream that does not decompress; or a heap too small for the
            # decompressor, the board's limit, which is raised as its error.
            if isinstance(e, MemoryError):
                failed(e)
            st[1] = True
            return None

    def need(n):
        # Exactly n bytes of the batch (a header), or None when it ends first.
        b = bytearray()
        while len(b) < n:
            c = chunk(n - len(b) if n - len(b) < 512 else 512)
            if c is None:
                return None
            b += c
        return b

    def failed(e):
        if st[0] is None:
            st[0] = e
            wr(b"X")

    staged = []
    # The pack's files: [target, offset, size] each (fs_pack.py).
    packed = []
    peak = 0
    micropython.kbd_intr(-1)
    try:
        wr(b"G" if zb == z else b"g" + bytes((zb,)))
        while True:
            h = need(1)
            if h is None or h[0] != 0x46:
                # b"E" ends the list; an early end is a bad stream (unless aborted).
                st[1] = st[1] or h is None or h[0] != 0x45
                if not st[1]:
                    # After b"E" the stream ends: no more bytes, then the end frame.
                    st[1] = chunk(1) is not None or (d is not None and r.p != r.n)
                break
            hd = need(8)
            names = hd and need((hd[4] | hd[5] << 8) + (hd[6] | hd[7] << 8))
            if names is None:
                st[1] = True
                break
            n = hd[0] | hd[1] << 8 | hd[2] << 16 | hd[3] << 24
            tl = hd[4] | hd[5] << 8
            t = str(names[:tl], "utf-8")
            p = str(names[tl:], "utf-8")
            # The file goes to fp from offset o, and is hashed back from there.
            sz = n
            fp = p or pk
            o = 0
            f = None
            if st[0] is None:
                try:
                    if p:
                        staged.append((p, t))
                        _bprep(p, t, True)
                    else:
                        o = _bpack(pk, t, n, packed)
                    f = open(fp, "ab" if o else "wb")
                except Exception as e:
                    failed(e)
            while n:
                c = chunk(n if n < 512 else 512)
                if c is None:
                    st[1] = True
                    break
                n -= len(c)
                if f:
                    try:
                        f.write(c)
                    except Exception as e:
                        failed(e)
                        f.close()
                        f = None
                peak = _bpeak(base, peak)
            if f:
                try:
                    f.close()
                except Exception as e:
                    failed(e)
                    f = None
            if st[1]:
                break
            if f:
                hs = _bnew()
                hs.update(h)
                hs.update(hd)
                hs.update(names)
                wr(b"H")
                wr(json.dumps([min(sz, os.stat(fp)[6] - o), _balgo, _bhash(fp, hs, o, sz), peak]).encode())
                wr(b"\n")
            # A file's garbage (names, records, hashing) goes before the next:
            # on a small heap it would crowd out the commit.
            if gc.mem_free() < 12288:
                gc.collect()
        if st[1] and not isinstance(st[0], MemoryError):
            wr(b"Z")
        if r.rest() and not st[1]:
            st[1] = True
            wr(b"Z")
        if r.s == 0 and not st[1] and st[0] is None:
            # Every hash is out: V asks the host for its decision.
            wr(b"V")
            hv = bytearray(2)
            sys.stdin.buffer.readinto(hv)
            if hv[0] == 0x43 and hv[1] in (0x4A, 0x4E):
                wr(b"D")
                # The stream's buffers go before the commit needs heap for the journal.
                d = r = ob = om = frame = mv = None
                gc.collect()
                c = _bcommit({"m": [], "r": staged, "x": [], "y": [], "p": pk if packed else None, "c": packed}, hv[1] == 0x4A)
                wr(json.dumps([c["missing"], c["names"]]).encode())
                wr(b"\n")
                return
        for p, t in staged:
            _brm(p)
        if packed:
            _brm(pk)
        if solo:
            _bback()
        if st[0] is not None:
            raise st[0]
    finally:
        micropython.kbd_intr(3)
