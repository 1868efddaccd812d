# Small filesystem operations, one per call: OP names it, A and B are paths.
#   stat A        -> {"kind": "f"|"d"|null, "size": n}
#   mkdir A       (B true: with parents, existing directories are fine)
#   rm A          (B true: a whole tree, depth first, without recursion)
#   rename A B
#   df A          -> {"size", "free", "block"}
#   hash A        -> {"algorithm", "digest"}
# Returns a dict (printed as JSON by the caller). Part of the fs helpers.
def _bop(op, a, b):
    if op == "stat":
        k, s = _bkind(a)
        return {"kind": k, "size": s}
    if op == "mkdir":
        if not b:
            os.mkdir(a)
            return {}
        p = ""
        for part in a.split("/"):
            if not part:
                continue
            p += "/" + part
            k, _ = _bkind(p)
            if k is None:
                os.mkdir(p)
            elif k == "f":
                os.ilistdir(p)  # raises the port's own ENOTDIR
        return {}
    if op == "rm":
        k, _ = _bkind(a)
        if k is None:
            os.stat(a)  # raises the port's own ENOENT
        if k == "f":
            os.remove(a)
            return {"removed": 1}
        if not b:
            os.rmdir(a)
            return {"removed": 1}
        n = 0
        stack = [a]
        while stack:
            d = stack[-1]
            sub = None
            for e in os.ilistdir(d):
                _bgc()
                p = _bjoin(d, e[0])
                if e[1] & 0x4000:
                    sub = p
                    break
                os.remove(p)
                n += 1
            if sub:
                stack.append(sub)
            else:
                os.rmdir(stack.pop())
                n += 1
        return {"removed": n}
    if op == "rename":
        os.rename(a, b)
        return {}
    if op == "df":
        s = os.statvfs(a)
        return {"size": s[1] * s[2], "free": s[1] * s[3], "block": s[1]}
    if op == "hash":
        return {"algorithm": _balgo, "digest": _bhash(a)}
    raise ValueError(op)

