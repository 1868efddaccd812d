# Runs a program that arrives as a string literal, under its own file name:
# any byte of it (even \x04, which would end raw-paste input) arrives intact,
# and its tracebacks name the file instead of <stdin>. The caller appends
# the call, with the source and the name as Python literals.
def _belay_run(source, filename):
    code = compile(source, filename, 'exec')
    del source
    exec(code, globals())
