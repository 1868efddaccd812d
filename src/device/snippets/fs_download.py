# _bdl(p, size): streams file p to the host on stdout.buffer, length-framed so any byte value
# passes: first the size as a decimal line ("d" for a folder, "-" for
# nothing there, and the program ends: an answer, not a traceback), then frames
# [0x80|n>>8, n&255] + n bytes, then [0x88, 0] and a JSON line with the
# digest and peak heap. Ctrl-C still works (nothing is read from stdin).
# Part of the fs helpers.
def _bdl(p, size):
    k, t = _bkind(p)
    if k != "f":
        return print("d" if k else "-")
    gc.collect()
    base = gc.mem_alloc()
    buf = bytearray(size)
    mv = memoryview(buf)
    hdr = bytearray(2)
    h = _bnew()
    hu = h.update
    wr = sys.stdout.buffer.write
    with open(p, "rb") as f:
        rd = f.readinto
        wr(b"%d\n" % t)
        peak = 0
        while True:
            n = rd(buf)
            if not n:
                break
            hdr[0] = 0x80 | (n >> 8)
            hdr[1] = n & 255
            part = buf if n == size else mv[:n]
            wr(hdr)
            wr(part)
            hu(part)
            peak = _bpeak(base, peak)
    hdr[0] = 0x88
    hdr[1] = 0
    wr(hdr)
    wr(json.dumps({"digest": h.hexdigest(), "algorithm": _balgo, "heap": peak}).encode())
    wr(b"\n")

