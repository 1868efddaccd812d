# How names and mounts come out on the board, for the write helpers: the
# commit's report of each target's name (_bnames, from fs_tx.py _bcommit),
# each mount's filesystem (_bmounts) and the preflight before a write
# (_bpre). Part of the write helpers, in a file of its own so that a board
# with a small heap compiles the transaction code (fs_tx.py) apart from it.
def _bnames(paths):
    # For each path: [exists, exact] where exact says whether its parent
    # lists exactly this name (False when the filesystem folds the name onto
    # another: case, a cut at a control character, None when the parent
    # cannot be listed) or, for an absent path, the errno of its stat.
    # Each folder is listed once, whatever the number of paths in it, and
    # only the names asked for are kept (a batch commits many files into few
    # folders; a small heap holds neither a folder's listing nor its garbage).
    # A name listed exactly exists: only the others are looked up (on
    # littlefs each lookup reads through the folder's log).
    want = {}
    for p in paths:
        _bgc()
        i = p.rfind("/")
        d = p[:i] or "/"
        if d not in want:
            want[d] = {}
        want[d][p[i + 1 :]] = False
    for d in want:
        w = want[d]
        try:
            for e in os.ilistdir(d):
                _bgc()
                if e[0] in w:
                    w[e[0]] = True
        except OSError:
            want[d] = None
    out = []
    for p in paths:
        _bgc()
        i = p.rfind("/")
        w = want[p[:i] or "/"]
        if w and w[p[i + 1 :]]:
            out.append([True, True])
            continue
        try:
            os.stat(p)
            out.append([True, None if w is None else False])
        except OSError as e:
            out.append([False, e.args[0] if e.args else None])
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
