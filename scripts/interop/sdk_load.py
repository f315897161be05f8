# @module Loads labelbox.data (annotation types + NDJSON serializer) from the SDK source without the
# client and with stand-ins for imports the serializer never calls (cv2, shapely, geojson ...).
import sys, types, importlib.abc, importlib.machinery
import os
SRC = os.path.join(os.environ.get('LABELBOX_PYTHON', '/tmp/interop/Labelbox+labelbox-python'), 'libs/labelbox/src')
STUBS = ('tqdm', 'cv2', 'geojson', 'shapely', 'google', 'lbox', 'pygeotile', 'pyproj', 'PIL')

class DummyMeta(type):
    def __getattr__(cls, n):
        if n.startswith('__'): raise AttributeError(n)
        return DummyMeta(n, (Dummy,), {})

class Dummy(metaclass=DummyMeta):
    def __init__(self, *a, **k): pass
    def __call__(self, *a, **k): return Dummy()
    def __getattr__(self, n): return Dummy()
    def __class_getitem__(cls, k): return cls

class StubModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith('__'): raise AttributeError(name)
        if name == 'retry':
            r = types.SimpleNamespace(Retry=lambda *a, **k: (lambda f: f), if_exception_type=lambda *a: None)
            return r
        return DummyMeta(name, (Dummy,), {})

class Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path, target=None):
        if fullname.split('.')[0] in STUBS:
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None
    def create_module(self, spec):
        m = StubModule(spec.name); m.__path__ = []; return m
    def exec_module(self, module): pass

sys.meta_path.insert(0, Finder())
pkg = types.ModuleType('labelbox'); pkg.__path__ = [SRC + '/labelbox']; sys.modules['labelbox'] = pkg
from labelbox.data.serialization import NDJsonConverter  # noqa
import labelbox.data.annotation_types as lb_types  # noqa
