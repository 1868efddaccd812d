# Staged writes and the transaction records (see device/fs/transaction.ts).
# Part of the fs helpers. Every step that creates something is recorded
# before it happens, so a power cut at any instant leaves a board the next
# connection can put back into a whole state:
#   /.belay/intent.log    one JSON line per staged temp ({"s": tmp, "t": target,
#                         "e": target existed}) or directory made ({"d": path});
#                         no journal: roll back (remove those temps and dirs)
#   /.belay/journal.json  the commit: {"m": mkdirs, "r": [[staged, target]],
#                         "x": deletes, "y": rmdirs}; present: roll forward
# The journal is written to a temp name and renamed onto an absent name, so
# it is either whole or absent.
_BDIR = "/.belay"
_BLOG = "/.belay/intent.log"
_BJNL = "/.belay/journal.json"
_BJTMP = "/.belay/.belay-tmp-journal"


def _brm(p):
    try:
        os.remove(p)
    except OSError:
        pass


def _blog(rec):
    if _bkind(_BDIR)[0] is None:
        os.mkdir(_BDIR)
    f = open(_BLOG, "a")
    f.write(json.dumps(rec) + "\n")
    f.close()


def _bprep(tmp, target, mk):
    # Before a staged upload: record the temp, then (mk) each missing parent
    # directory, each recorded before it is made. An in-place write
    # (tmp == target) is no staging and is not recorded.
    if tmp != target:
        _blog({"s": tmp, "t": target, "e": _bkind(target)[0] is not None})
    if mk:
        p = ""
        for part in tmp.split("/")[1:-1]:
            p += "/" + part
            if _bkind(p)[0] is None:
                if tmp != target:
                    _blog({"d": p})
                os.mkdir(p)


def _bdone():
    # The records are settled: remove them (and /.belay when nothing else lives there).
    _brm(_BLOG)
    try:
        os.rmdir(_BDIR)
    except OSError:
        pass


def _bback():
    # Roll back unjournaled staging. A temp is removed unless its target
    # existed and is gone (a replace cut halfway): then the temp, verified
    # before any commit began, is the only copy, and it takes the target's place.
    recs = []
    try:
        f = open(_BLOG)
        for line in f:
            _bgc()
            try:
                recs.append(json.loads(line))
            except ValueError:
                pass  # a line torn by a power cut: its step never happened
        f.close()
    except OSError:
        pass
    out = {"removed": [], "restored": [], "rmdirs": []}
    dirs = []
    for r in recs:
        _bgc()
        s = r.get("s")
        if s and _bkind(s)[0] == "f":
            t = r.get("t")
            if t and r.get("e") and _bkind(t)[0] is None:
                os.rename(s, t)
                out["restored"].append(t)
            else:
                os.remove(s)
                out["removed"].append(s)
        if r.get("d"):
            dirs.append(r["d"])
    for d in reversed(dirs):
        try:
            os.rmdir(d)
            out["rmdirs"].append(d)
        except OSError:
            pass  # gone already, or holds something that is not ours
    _brm(_BJTMP)
    _bdone()
    return out


def _bfwd(j):
    # Roll forward a written journal; every step is idempotent, so a cut
    # here is repaired by running it again.
    out = {"renamed": [], "deleted": [], "rmdirs": [], "kept": [], "missing": []}
    for d in j["m"]:
        k = _bkind(d)[0]
        if k is None:
            os.mkdir(d)
    for s, t in j["r"]:
        _bgc()
        if _bkind(s)[0] == "f":
            # On FAT this is remove-then-rename: a cut between leaves s,
            # still named in the journal, for the next run.
            os.rename(s, t)
            out["renamed"].append(t)
        elif _bkind(t)[0] != "f":
            out["missing"].append(t)
    for p in j["x"]:
        if _bkind(p)[0] == "f":
            os.remove(p)
            out["deleted"].append(p)
    for d in j["y"]:
        if _bkind(d)[0] == "d":
            try:
                os.rmdir(d)
                out["rmdirs"].append(d)
            except OSError:
                out["kept"].append(d)
    _brm(_BJNL)
    _bdone()
    return out


def _bcommit(j, jnl):
    # Commits a staged set in one round trip; reports how each target's name
    # came out (_bnames). jnl false: a single rename onto a filesystem whose
    # rename replaces atomically needs no journal.
    if jnl:
        if _bkind(_BDIR)[0] is None:
            os.mkdir(_BDIR)
        f = open(_BJTMP, "w")
        # Written a rename at a time: a large journal is never whole in a
        # small heap, nor a write per token (as json.dump would do).
        f.write('{"m": %s, "x": %s, "y": %s, "r": [' % (json.dumps(j["m"]), json.dumps(j["x"]), json.dumps(j["y"])))
        c = ""
        for e in j["r"]:
            f.write(c + json.dumps(e))
            c = ","
        f.write("]}")
        f.close()
        os.rename(_BJTMP, _BJNL)
        _brm(_BLOG)
        r = _bfwd(j)
    else:
        for s, t in j["r"]:
            os.rename(s, t)
        _bdone()
        r = {"renamed": [t for s, t in j["r"]], "deleted": [], "rmdirs": [], "kept": [], "missing": []}
    r["names"] = _bnames([t for s, t in j["r"]])
    return r


def _brecover():
    # Whatever an interrupted session left: a journal rolls forward, else
    # the intent log rolls back.
    k = _bkind(_BJNL)[0]
    if k == "f":
        f = open(_BJNL)
        j = json.loads(f.read())
        f.close()
        r = _bfwd(j)
        r["journal"] = True
        return r
    r = _bback()
    r["journal"] = False
    return r


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
