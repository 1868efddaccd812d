# Runs a program that arrives as a string literal, under its own file name:
# any byte of it (even \x04, which would end raw-paste input) arrives intact,
# and its tracebacks name the file instead of <stdin>. The caller appends
# the call, with the source and the name as Python literals.
#
# First it clears what belay keeps in these globals between commands (the
# names its helpers and probe recorded in _belay_kept, board-code.ts), so the
# program runs with the board's whole heap and none of belay's names.
def _belay_run(source, filename):
    g = globals()
    for name in g.pop("_belay_kept", ()):
        g.pop(name, None)
    __import__("gc").collect()
    code = compile(source, filename, "exec")
    del source
    exec(code, g)
