# _btree(root, want, deep): lists root (a file, a directory's entries, or with deep its whole
# tree) in one round trip: one JSON line per entry, streamed as found so memory stays flat
# on big trees:
#   ["f", path, size, digest]  (digest null unless want)
#   ["d", path]
#   ["s", path, errno]  a folder below root that cannot be listed (EPERM on
#                       system folders): skipped, the rest goes on
# A missing root raises OSError ENOENT. Part of the fs helpers.
def _btree(root, want, deep=True):
    if _broot(root, want):
        return
    stack = [root]
    while stack:
        d = stack.pop()
        try:
            for e in os.ilistdir(d):
                p = _bent(d, e, want)
                if p and deep:
                    stack.append(p)
        except OSError as x:
            if d == root:
                raise
            print(json.dumps(["s", d, x.args[0] if x.args else None]))


def _broot(root, want):
    # A file root is its own listing (True); a missing one raises ENOENT.
    k, size = _bkind(root)
    if k is None:
        os.stat(root)  # raises the port's own ENOENT
    if k == "f":
        print(json.dumps(["f", root, size, _bhash(root) if want else None]))
        return True
    return False


def _bent(d, e, want):
    # Prints the line of entry e of folder d; returns its path if a folder.
    _bgc()
    p = _bjoin(d, e[0])
    if e[1] & 0x4000:
        print(json.dumps(["d", p]))
        return p
    s = e[3] if len(e) > 3 else os.stat(p)[6]
    print(json.dumps(["f", p, s, _bhash(p) if want else None]))


# _bdirs(paths): the entries directly in each folder of paths, with hashes,
# as _btree prints them (the folders whose digest differed, see _bdig).
def _bdirs(paths):
    for d in paths:
        for e in os.ilistdir(d):
            _bent(d, e, True)


# _bdig(root): the tree under root as one line per folder, so an unchanged
# tree costs a line per folder rather than per file:
#   ["g", folder, digest, n]  n entries directly in it; digest: the XOR of
#       the digests of one line per entry, "name\0d" for a folder,
#       "name\0f\0size\0digest" for a file, as hex (order-free: nothing to
#       sort or hold, whatever the folder's size)
#   ["f", root, size, digest] and ["s", folder, errno] as _btree prints them.
def _bdig(root):
    if _broot(root, True):
        return
    w = 64 if _balgo == "sha256" else 8
    stack = [root]
    while stack:
        d = stack.pop()
        acc = 0
        n = 0
        try:
            for e in os.ilistdir(d):
                _bgc()
                p = _bjoin(d, e[0])
                if e[1] & 0x4000:
                    stack.append(p)
                    line = e[0] + "\0d"
                else:
                    s = e[3] if len(e) > 3 else os.stat(p)[6]
                    line = "%s\0f\0%d\0%s" % (e[0], s, _bhash(p))
                h = _bnew()
                h.update(line.encode())
                acc ^= h.num()
                n += 1
        except OSError as x:
            if d == root:
                raise
            print(json.dumps(["s", d, x.args[0] if x.args else None]))
            continue
        x = "%x" % acc if n else ""
        print(json.dumps(["g", d, "0" * (w - len(x)) + x if n else "", n]))
