# How names and mounts come out on the board, for the write helpers: the
# commit's report of each target's name (_bnames, from fs_tx.py _bcommit),
# each mount's filesystem (_bmounts) and the preflight before a write
# (_bpre). Part of the write helpers, in a file of its own so that a board
# with a small heap compiles the transaction code (fs_tx.py) apart from it.
def _bnames(paths):
    # For each path: [exists, exact] where exact says whether its parent
    # lists exactly this name (False when the filesystem folds the name onto
    # another: case, a cut at a control character) or None when absent.
    # Each folder is listed once, whatever the number of paths in it, and
    # only the names asked for are kept (a batch commits many files into few
    # folders; a small heap holds neither a folder's listing nor its garbage).
    out = []
    want = {}
    for p in paths:
        _bgc()
        i = p.rfind("/")
        try:
            os.stat(p)
        except OSError as e:
            out.append([False, e.args[0] if e.args else None])
            continue
        d = p[:i] or "/"
        if d not in want:
            want[d] = {}
        want[d][p[i + 1 :]] = False
        out.append(None)
    for d in want:
        w = want[d]
        try:
            for e in os.ilistdir(d):
                _bgc()
                if e[0] in w:
                    w[e[0]] = True
        except OSError:
            for n in w:
                w[n] = None
    for k, p in enumerate(paths):
        if out[k] is None:
            i = p.rfind("/")
            out[k] = [True, want[p[:i] or "/"][p[i + 1 :]]]
    return out


def _bmounts():
    # [mount point, kind] for every mount: "fat", "lfs", "posix" or "?".
    # The class tells (vfs.mount() lists mounts on recent firmware); where it
    # does not, or says posix (an emulated flash may behave as FAT), the
    # behaviour does: FAT refuses "?" in a name (EINVAL) where others say ENOENT.
    m = None
    try:
        import vfs

        m = vfs.mount()
    except Exception:
        try:
            m = os.mount()
        except Exception:
            m = None
    out = []
    for fs, mp in m or [[None, "/"]]:
        t = type(fs).__name__ if fs is not None else ""
        k = "fat" if t == "VfsFat" else "lfs" if t.startswith("VfsLfs") else "posix" if t == "VfsPosix" else "?"
        if k in ("posix", "?"):
            try:
                os.stat(_bjoin(mp, "belay?probe"))
            except OSError as e:
                # ENOENT: MicroPython's 2, or the wasm port's WASI 44.
                if e.args and e.args[0] not in (2, 44):
                    k = "fat"
        out.append([mp, k])
    return out


def _bpre(paths):
    # One round trip before writing paths: the mounts, how each name comes
    # out (_bnames), and size, free and block size of each mount they go to.
    m = _bmounts()
    sp = {}
    for p in paths:
        best = "/"
        for mp, k in m:
            if (p == mp or p.startswith(mp.rstrip("/") + "/")) and len(mp) > len(best):
                best = mp
        if best not in sp:
            s = os.statvfs(best)
            sp[best] = [s[1] * s[2], s[1] * s[3], s[1]]
    return {"m": m, "n": _bnames(paths), "s": sp}
