# _bup(tmp, target, size): the stdin receiver. Writes the bytes the host streams into tmp, then, if
# the host accepts the hash, renames tmp over target. Part of the fs helpers.
#
# Ctrl-C is disabled (kbd_intr(-1)) so every byte value is data. Frames from
# the host:  [0x80|n>>8, n&255] + n bytes (1 <= n <= CHUNK)
#            [0x88, 0]  end of data      anything else: abort (clean up)
# The board answers one byte per event on stdout.buffer:
#   G ready   A frame taken into RAM (the host may send that many more bytes:
#   its credit never exceeds the board's UART buffer, so nothing is dropped)
#   X a write failed (the host stops; frames in flight are still acked)
#   H + JSON line: size, digest, algorithm, peak heap; then the host sends
#   C (commit: rename) or anything else (remove TMP)   D committed
# A write error is raised after TMP is removed, so it reaches the host as an
# ordinary traceback. Heap: CHUNK bytes + a few objects, allocated up front.
def _bup(tmp, target, size):
    import micropython

    gc.collect()
    base = gc.mem_alloc()
    buf = bytearray(size)
    mv = memoryview(buf)
    hdr = bytearray(2)
    h = _bnew()
    hu = h.update
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
                    hu(part)
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
            wr(json.dumps({"size": total, "digest": h.hexdigest(), "algorithm": _balgo, "heap": peak}).encode())
            wr(b"\n")
            rd(hdr)
            if hdr[0] == 0x43 and hdr[1] == 0x43:
                os.rename(tmp, target)
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

