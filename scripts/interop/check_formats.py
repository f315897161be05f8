# @module Opens our COCO, YOLO and Pascal VOC exports with labelformat's own readers and compares
# what they read with what labelformat's Labelbox reader reads from our NDJSON export of the same
# project: the same images (file name stem, width, height) and the same boxes (category, corners).
#   check_formats.py EXPORT.ndjson EXPORT.coco.json EXPORT.yolo.zip EXPORT.voc.zip
# YOLO's reader lists the image files to learn their sizes; the export holds their URLs only, so
# each image is written as a JPEG/PNG header of its size (all labelformat reads of an image).
import sys, os, json, zipfile, tempfile, pathlib, struct, zlib, csv
from labelformat.formats.labelbox import FilenameKeyOption, LabelboxObjectDetectionInput
from labelformat.formats.coco import COCOObjectDetectionInput
from labelformat.formats.yolov8 import YOLOv8ObjectDetectionInput
from labelformat.formats.pascalvoc import PascalVOCObjectDetectionInput

from labelformat.model.bounding_box import BoundingBoxFormat

def stem(name): return pathlib.PurePosixPath(name).stem

def read(inp, key=lambda name: name):
    """labelformat's reading of a file: image key -> (width, height, sorted boxes as XYXY)."""
    out = {}
    for lb in inp.get_labels():
        boxes = sorted((o.category.name, *(round(v, 1) for v in o.box.to_format(BoundingBoxFormat.XYXY))) for o in lb.objects)
        out[key(lb.image.filename)] = (lb.image.width, lb.image.height, boxes)
    return out

def box_tools(ndjson):
    """The names of the box tools the export's annotations use, and the lines with only boxes."""
    names, pure = set(), True
    for line in open(ndjson):
        d = json.loads(line)
        for p in d['projects'].values():
            for lb in p['labels']:
                for o in lb['annotations'].get('objects', []):
                    if o['annotation_kind'] == 'ImageBoundingBox': names.add(o['name'])
                    else: pure = False
    return sorted(names), pure

def header_image(path, w, h):
    if path.suffix.lower() in ('.jpg', '.jpeg'):
        path.write_bytes(b'\xff\xd8\xff\xc0\x00\x11\x08' + struct.pack('>HH', h, w) + b'\x03' + b'\x00' * 9 + b'\xff\xd9')
    else:
        ihdr = struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)
        path.write_bytes(b'\x89PNG\r\n\x1a\n' + struct.pack('>I', 13) + b'IHDR' + ihdr + struct.pack('>I', zlib.crc32(b'IHDR' + ihdr)))

ndjson, coco, yolo, voc = sys.argv[1:5]
cats, boxes_only = box_tools(ndjson)
ref = read(LabelboxObjectDetectionInput(input_file=pathlib.Path(ndjson), category_names=','.join(cats or ['none']),
                                        filename_key=FilenameKeyOption(os.environ.get('FILENAME_KEY', 'global_key'))))
# Our files name images after the global key made safe for a file system (`a b.jpg` -> `a_b.jpg`);
# COCO's images carry the key itself, which maps every format's names back to the NDJSON's.
tmp = pathlib.Path(tempfile.mkdtemp())
coco_doc = json.load(open(coco))
by_stem = {stem(i['file_name']): i.get('global_key') or i.get('external_id') for i in coco_doc['images']}
ours = lambda name: by_stem.get(stem(name), name)
got = {'COCO': read(COCOObjectDetectionInput(input_file=coco), ours)}
with zipfile.ZipFile(voc) as z: z.extractall(tmp / 'voc')
coco_cats = [c['name'] for c in coco_doc['categories']]
# The zip is laid out as VOC is (Annotations/<stem>.xml); labelformat reads a folder of XML files.
got['VOC'] = read(PascalVOCObjectDetectionInput(input_folder=tmp / 'voc' / 'Annotations', category_names=','.join(coco_cats)), ours)
with zipfile.ZipFile(yolo) as z: z.extractall(tmp / 'yolo')
(tmp / 'yolo' / 'images').mkdir(exist_ok=True)
with open(tmp / 'yolo' / 'images.csv') as f:
    rows = list(csv.reader(f))
for r in rows[1:]:
    w, h, _ = got['COCO'][ours(r[0])]
    header_image(tmp / 'yolo' / r[0], w, h)
got['YOLO'] = read(YOLOv8ObjectDetectionInput(input_file=tmp / 'yolo' / 'data.yaml', input_split='train'), ours)

# Only the images the NDJSON reader kept (labelformat reads a line only with exactly one label),
# and only box categories when the project also has other tools (COCO/VOC boxes of polygons).
fail = False
for fmt, g in got.items():
    same_imgs = sum(1 for k, (w, h, _) in ref.items() if k in g and g[k][:2] == (w, h))
    def boxes(k, src): return [b for b in src[k][2] if boxes_only or b[0] in cats]
    same_boxes = sum(1 for k in ref if k in g and boxes(k, g) == boxes(k, ref))
    n_boxes = sum(len(boxes(k, g)) for k in ref if k in g)
    ok = same_imgs == len(ref) and same_boxes == len(ref)
    fail |= not ok
    print(f'{fmt}: labelformat read {len(g)} images; {same_imgs}/{len(ref)} of the NDJSON\'s images with the same size, {same_boxes}/{len(ref)} with the same boxes ({n_boxes} boxes){"" if ok else "  <-- DIFFERS"}')
    if not ok:
        for k in [k for k in ref if k not in g or g[k] != ref[k]][:3]:
            print('   ', k, 'ndjson:', ref[k], fmt + ':', g.get(k))
sys.exit(1 if fail else 0)
