# _bput(p, name, tmps, same, mode, size, q, mk, z): a lone file write in one
# program: it looks at the board first, and the host, from what it sees,
# refuses or sends the bytes to the receiver in the same program (_bup,
# fs_upload.py), so a put costs one round trip, not four. Part of the fs
# helpers.
#
# The target: p itself (mode 0); p/name when p is a folder (mode 1, as cp
# does); p/name always (mode 2: p is meant as a folder). Nothing is written
# before the host's answer. same: [size, digest] of the host's file, or
# None. The board sends either
#   S + i line    the target already holds those bytes: the program ends
#                 here (the host skips the file, and answers nothing)
#   L + JSON line [i, kp, k, s, pre]
#     i    0: the target is p, 1: it is p/name (the index into tmps)
#     kp   what p is: "f", "d" or null (absent)
#     k s  what the target is, and its size
#     pre  _bpre([target]) (fs_tx.py): mounts, how the name comes out, space
# and after L reads two bytes: GO receives the upload into tmps[i] (mk:
# making the missing parents, recorded), anything else ends the program.
def _bput(p, name, tmps, same, mode, size, q, mk, z):
    i = 0
    t = p
    kp, s = _bkind(p)
    k = kp
    if mode == 2 or (mode == 1 and kp == "d"):
        i = 1
        t = _bjoin(p, name)
        k, s = _bkind(t)
    wr = sys.stdout.buffer.write
    if same and k == "f" and s == same[0] and _bhash(t) == same[1]:
        wr(b"S%d\n" % i)
        return
    wr(b"L")
    wr(json.dumps([i, kp, k, s, _bpre([t])]).encode())
    wr(b"\n")
    a = bytearray(2)
    sys.stdin.buffer.readinto(a)
    if a == b"GO":
        _bup(tmps[i], t, size, q, mk, z)
