# Staged writes and the transaction records (see device/fs/transaction.ts).
# Part of the fs helpers. Every step that creates something is recorded
# before it happens, so a power cut at any instant leaves a board the next
# connection can put back into a whole state:
#   /.belay/intent.log    one JSON line per staged temp ({"s": tmp, "t": target,
#                         "e": target existed}), batch pack ({"s": pack}) or
#                         directory made ({"d": path}); no journal: roll back
#                         (remove those temps and dirs)
#   /.belay/journal.json  the commit: {"m": mkdirs, "r": [[staged, target]],
#                         "x": deletes, "y": rmdirs} and, for a batch staged in
#                         a pack, "p": pack, "c": [[target, offset, size]];
#                         present: roll forward
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
    # directory. An in-place write (tmp == target) is no staging and is not
    # recorded.
    if tmp != target:
        _blog({"s": tmp, "t": target, "e": _bkind(target)[0] is not None})
    if mk:
        _bmkp(tmp, tmp != target)


def _bmkp(path, rec):
    # Makes each missing parent directory of path, each recorded first (rec).
    p = ""
    for part in path.split("/")[1:-1]:
        p += "/" + part
        if _bkind(p)[0] is None:
            if rec:
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
    out = {"renamed": [], "written": [], "deleted": [], "rmdirs": [], "kept": [], "missing": []}
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
    if j.get("p"):
        _bunpack(j, out)
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
    # rename replaces atomically needs no journal (a pack always has one).
    if jnl or j.get("p"):
        if _bkind(_BDIR)[0] is None:
            os.mkdir(_BDIR)
        f = open(_BJTMP, "w")
        # Written an entry at a time: a large journal is never whole in a
        # small heap, nor a write per token (as json.dump would do).
        f.write('{"m": %s, "x": %s, "y": %s, "p": %s' % (json.dumps(j["m"]), json.dumps(j["x"]), json.dumps(j["y"]), json.dumps(j.get("p"))))
        for k in ("r", "c"):
            f.write(', "%s": [' % k)
            c = ""
            for e in j.get(k, ()):
                f.write(c + json.dumps(e))
                c = ","
            f.write("]")
        f.write("}")
        f.close()
        os.rename(_BJTMP, _BJNL)
        _brm(_BLOG)
        r = _bfwd(j)
    else:
        for s, t in j["r"]:
            os.rename(s, t)
        _bdone()
        r = {"renamed": [t for s, t in j["r"]], "written": [], "deleted": [], "rmdirs": [], "kept": [], "missing": []}
    r["names"] = _bnames([t for s, t in j["r"]] + [e[0] for e in j.get("c", ())])
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
