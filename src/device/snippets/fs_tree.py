# _btree(root, want, deep): lists root (a file, a directory's entries, or with deep its whole
# tree) in one round trip: one JSON line per entry, streamed as found so memory stays flat
# on big trees:
#   ["f", path, size, digest]  (digest null unless want)
#   ["d", path]
#   ["s", path, errno]  a folder below root that cannot be listed (EPERM on
#                       system folders): skipped, the rest goes on
# A missing root raises OSError ENOENT. Part of the fs helpers.
def _btree(root, want, deep=True):
    k, size = _bkind(root)
    if k is None:
        os.stat(root)  # raises the port's own ENOENT
    if k == "f":
        print(json.dumps(["f", root, size, _bhash(root) if want else None]))
        return
    stack = [root]
    while stack:
        d = stack.pop()
        try:
            for e in os.ilistdir(d):
                p = _bjoin(d, e[0])
                if e[1] & 0x4000:
                    print(json.dumps(["d", p]))
                    if deep:
                        stack.append(p)
                else:
                    s = e[3] if len(e) > 3 else os.stat(p)[6]
                    print(json.dumps(["f", p, s, _bhash(p) if want else None]))
        except OSError as x:
            if d == root:
                raise
            print(json.dumps(["s", d, x.args[0] if x.args else None]))

