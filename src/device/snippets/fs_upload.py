# _bup(tmp, target, size, q, mk, z): the stdin receiver that stages an upload
# (frames read by fs_frames.py's _brx).
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
def _bup(tmp, target, size, q, mk, z):
    import micropython

    _bprep(tmp, target, mk)
    zb = _bwin(z)
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
        wr(b"G" if zb == z else b"g" + bytes((zb,)))
        if zb:
            end, err, peak = _bunz(frame, mv, fw, zb, base)
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
