# _bunz(frame, mv, fw, z, base): the compressed half of the upload receiver
# (fs_upload.py), installed only when a compressed upload needs it. frame()
# reads the next frame's payload into mv and returns its length (0 at the
# end, -1 abort); the payload, frame after frame, is one raw deflate stream
# with a window of 2**z bytes, decompressed here as it arrives and written
# with fw. Returns (0 end or -1 abort, the error that stopped the writing or
# None, peak heap). A write error (or MemoryError) is told to the host with b"X"; a stream
# that does not decompress (corrupted or cut on the way) with b"Z", and the
# result is then an abort. Either way the frames are read on to the host's
# end or abort, so the stream stays in step.
# Heap: the 2**z window, the decompressor's tables (~1.5 KB), a 512-byte
# output buffer. deflate.DeflateIO pulls one byte at a time (_BFr, fs_frames.py).
def _bunz(frame, mv, fw, z, base):
    import deflate

    r = _BFr(frame, mv)
    wr = sys.stdout.buffer.write
    err = None
    bad = False
    peak = 0
    ob = bytearray(512)
    om = memoryview(ob)
    try:
        d = deflate.DeflateIO(r, deflate.RAW, z)
        while True:
            bad = True
            n = d.readinto(ob)
            bad = False
            if not n:
                break
            fw(ob if n == 512 else om[:n])
            peak = _bpeak(base, peak)
        bad = r.p != r.n  # data after the end of the stream
    except Exception as e:
        # A heap too small for the decompressor is the board's limit, not a
        # stream changed on the way: reported as the board's error.
        if not bad or isinstance(e, MemoryError):
            err = e
            bad = False
    if bad:
        wr(b"Z")
    elif err:
        wr(b"X")
    if r.rest() and not (bad or err):
        bad = True
        wr(b"Z")
    return (-1 if bad else r.s), err, peak
