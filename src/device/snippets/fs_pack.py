# A batch staged in a pack (fs_batch.py, see device/fs/transaction.ts): the
# staging of each file in it (_bpack) and the part of a journal's roll
# forward that writes the targets from it (_bunpack, from fs_tx.py _bfwd).
# A group of its own, installed only for a packed batch and for recovery: a
# board with a small heap holds no more helper code than its command needs,
# and compiles the batch receiver apart from it.
def _bpack(pk, t, n, packed):
    # Before a file goes into the pack pk: the pack recorded before its
    # first file, the target's missing folders made (recorded); [t, offset,
    # n] added to packed. Returns the offset where the file starts.
    if not packed:
        _blog({"s": pk})
    _bmkp(t, True)
    o = packed[-1][1] + packed[-1][2] if packed else 0
    packed.append([t, o, n])
    return o


def _bunpack(j, out):
    # Writes each target of a batch staged in a pack from its slice. The
    # pack goes only after every target is written, so a cut anywhere here
    # finds it again and the next run writes them all again; a journal
    # whose pack is gone has been carried out. (On littlefs a file rewritten
    # in place keeps its old content until it is closed.)
    p = j["p"]
    if _bkind(p)[0] != "f":
        for t, o, n in j["c"]:
            if _bkind(t)[0] != "f":
                out["missing"].append(t)
        return
    src = open(p, "rb")
    for t, o, n in j["c"]:
        _bgc()
        src.seek(o)
        f = open(t, "wb")
        while n:
            k = src.readinto(_bmv[: n if n < 512 else 512])
            if not k:
                break
            f.write(_bmv[:k])
            n -= k
        f.close()
        out["written"].append(t)
    src.close()
    os.remove(p)
