# The load half of the helpers' copy on flash (fs_cache.py, sent first).


def _bld(fs, gs):
    # Runs each file of fs ([[name, digest]]) whose saved copy matches its
    # digest, then marks the groups of gs whose files all ran. Prints [the
    # names with no sound copy, the names whose copy is sound but did not
    # fit in the heap beside the loader]. What the files define is added to
    # _belay_kept (what `run` clears, board-code.ts): the loader stays on the
    # board, so its calls come without the host's tracking lines.
    import gc
    import os

    g = globals()
    seen = set(g)
    bad = []
    short = []
    for n, h in fs:
        gc.collect()
        try:
            p = _bhd(n, h)
            with open(p, "rb") as f:
                # One allocation of the exact size, not a buffer grown in steps.
                d = f.read(os.stat(p)[6])
        except OSError:
            d = b""
        if d and _bdg(d) == h:
            try:
                exec(d, g)
            except MemoryError:
                short.append(n)
        else:
            bad.append(n)
        d = None
    _bmark(gs, bad + short)
    g["_belay_kept"] = g.get("_belay_kept", ()) + tuple(k for k in g if k not in seen)
    print(repr([bad, short]).replace("'", '"'))
