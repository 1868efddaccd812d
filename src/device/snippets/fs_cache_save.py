# The save half of the helpers' copy on flash (fs_cache.py, sent first).


def _bsv(fs, gs, reserve):
    # For each [name, digest, source] of fs whose source matches its digest
    # (a byte the link changed shows here): saves it, replacing every saved
    # version of that name, and runs it (not an entry with a fourth item: the
    # boot copy, which runs only at the next connection); then marks the
    # groups of gs whose files all ran. Nothing is saved when the flash would
    # keep less than reserve bytes free, or /.belay cannot be written; a
    # failed save leaves no partial copy. Prints [the names not saved, the
    # names not run].
    import os

    d = "/.belay/helpers"
    room = False
    for p in ("/.belay", d):
        try:
            os.mkdir(p)
        except OSError:
            pass
    try:
        s = os.statvfs(d)
        room = s[1] * s[3] >= reserve + sum(len(f[2]) for f in fs)
    except AttributeError:
        # No statvfs on this port: a full flash shows as a failed write.
        room = True
    except OSError:
        pass
    unsaved = []
    unrun = []
    for x in fs:
        n, h, s = x[0], x[1], x[2]
        if _bdg(s) != h:
            unrun.append(n)
            unsaved.append(n)
            continue
        p = _bhd(n, h)
        try:
            if not room:
                raise OSError(28)
            for e in os.listdir(d):
                if e.startswith(n + "-"):
                    os.remove(d + "/" + e)
            with open(p, "w") as f:
                f.write(s)
        except OSError:
            unsaved.append(n)
            try:
                os.remove(p)
            except OSError:
                pass
        if len(x) < 4:
            exec(s, globals())
    _bmark(gs, unrun)
    print(repr([unsaved, unrun]).replace("'", '"'))
