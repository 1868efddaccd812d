# _bup(tmp, target, size, mk): the stdin receiver that stages an upload.
# Records the temp (and with mk the missing parents) in the intent log
# (fs_tx.py), writes the bytes the host streams into tmp, then hashes tmp
# back from flash, so the host compares what the flash holds, not only what
# passed through RAM. The host keeps the staged file (a later commit renames
# it) or has it removed. Part of the fs helpers.
#
# Ctrl-C is disabled (kbd_intr(-1)) so every byte value is data. Frames from
# the host:  [0x80|n>>8, n&255] + n bytes (1 <= n <= CHUNK)
#            [0x88, 0]  end of data      anything else: abort (clean up)
# The board answers one byte per event on stdout.buffer:
#   G ready   A frame taken into RAM (the host may send that many more bytes:
#   its credit never exceeds the board's UART buffer, so nothing is dropped)
#   X a write failed (the host stops; frames in flight are still acked)
#   H + JSON line: size and digest of tmp as read back from flash, algorithm,
#   peak heap; then the host sends CC (keep the staged file) or anything else
#   (remove tmp)   D kept
# A write error is raised after TMP is removed, so it reaches the host as an
# ordinary traceback. Heap: CHUNK bytes + a few objects, allocated up front.
def _bup(tmp, target, size, mk):
    import micropython

    _bprep(tmp, target, mk)
    gc.collect()
    base = gc.mem_alloc()
    buf = bytearray(size)
    mv = memoryview(buf)
    hdr = bytearray(2)
    rd = sys.stdin.buffer.readinto
    wr = sys.stdout.buffer.write
    f = open(tmp, "wb")
    fw = f.write
    err = None
    ok = False
    total = 0
    peak = 0
    micropython.kbd_intr(-1)
    try:
        wr(b"G")
        while True:
            rd(hdr)
            hi = hdr[0]
            if hi == 0x88 and hdr[1] == 0:
                ok = True
                break
            n = ((hi & 7) << 8) | hdr[1]
            if hi & 0xF8 != 0x80 or n == 0 or n > size:
                break  # abort, or bytes that are not ours: stop here
            part = buf if n == size else mv[:n]
            rd(part)
            wr(b"A")
            if err is None:
                try:
                    fw(part)
                    total += n
                except Exception as e:
                    err = e
                    wr(b"X")
            peak = _bpeak(base, peak)
        try:
            f.close()
        except Exception as e:
            err = err or e
        if ok and err is None:
            wr(b"H")
            wr(json.dumps({"size": os.stat(tmp)[6], "digest": _bhash(tmp), "algorithm": _balgo, "heap": peak}).encode())
            wr(b"\n")
            rd(hdr)
            if hdr[0] == 0x43 and hdr[1] == 0x43:
                wr(b"D")
                return
        try:
            os.remove(tmp)
        except OSError:
            pass
        if err:
            raise err
    finally:
        micropython.kbd_intr(3)

