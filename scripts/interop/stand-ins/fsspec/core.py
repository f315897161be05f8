import os
class _FS:
    def exists(self, p): return os.path.exists(p)
    def makedirs(self, p, exist_ok=True): os.makedirs(p, exist_ok=exist_ok)
    def open(self, p, mode="r"): return open(p, mode)
def url_to_fs(url, **kw): return _FS(), str(url)
