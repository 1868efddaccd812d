# The fallback transfer for boards without sys.stdin.buffer: a file is
# written by many small programs, each carrying one encoded chunk, and read
# back by one program that prints encoded lines. Needs fs_lib.
#   _bwopen(tmp, target, mk)  records the staged temp (fs_tx.py _bprep) and
#                  opens it (one upload at a time per session)
#   _bw(data)      appends bytes (decoded by the host-built literal)
#   _bb(text)      appends base64 text
#   _bwclose()     closes; prints {"size", "digest", "algorithm"} of the
#                  file as read back from flash
#   _bwdrop(tmp)   closes and removes the temp file (abort or failure)
#   _bread(p, n)   prints the size line, then one line per n-byte chunk:
#                  base64 when binascii exists, else hex; then the digest
_bwf = None
_bwp = None


def _bwopen(tmp, target, mk):
    global _bwf, _bwp
    _bprep(tmp, target, mk)
    _bwf = open(tmp, "wb")
    _bwp = tmp


def _bw(data):
    _bwf.write(data)


def _bb(text):
    _bgc()  # the decoded chunk needs a free block
    _bw(_bba.a2b_base64(text))


def _bwclose():
    global _bwf
    f = _bwf
    _bwf = None
    f.close()
    print(json.dumps({"size": os.stat(_bwp)[6], "digest": _bhash(_bwp), "algorithm": _balgo}))


def _bwdrop(tmp):
    global _bwf
    if _bwf:
        try:
            _bwf.close()
        except OSError:
            pass
        _bwf = None
    try:
        os.remove(tmp)
    except OSError:
        pass


def _bread(p, n):
    # The first line: the size, or "d" (a folder) / "-" (nothing there) and no more.
    k = _bkind(p)[0]
    if k != "f":
        print("d" if k else "-")
        return
    b64 = _bba and hasattr(_bba, "b2a_base64")
    h = _bnew()
    buf = bytearray(n)
    mv = memoryview(buf)
    print(os.stat(p)[6])
    with open(p, "rb") as f:
        while True:
            k = f.readinto(buf)
            if not k:
                break
            part = buf if k == n else mv[:k]
            h.update(part)
            _bgc()
            if b64:
                sys.stdout.write(_bba.b2a_base64(part))
            else:
                print("".join("%02x" % x for x in part))
    print(json.dumps({"digest": h.hexdigest(), "algorithm": _balgo, "encoding": "base64" if b64 else "hex"}))
