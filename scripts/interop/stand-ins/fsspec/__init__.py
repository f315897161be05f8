# stand-in: local files only
import builtins
def open(path, mode="r", **kw):
    return builtins.open(path, mode)
