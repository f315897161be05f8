# @module Reads each export with labelformat's Labelbox reader and converts it to COCO and YOLOv8; with
# --same ORIG OURS compares the conversions of a Labelbox file and of our export of it.
import sys, os, json, tempfile, pathlib, collections
from labelformat.formats.labelbox import FilenameKeyOption, LabelboxObjectDetectionInput
from labelformat.formats.coco import COCOObjectDetectionOutput
from labelformat.formats.yolov8 import YOLOv8ObjectDetectionOutput

def categories(path):
    names = []
    for line in open(path):
        d = json.loads(line)
        for p in d['projects'].values():
            for lb in p['labels']:
                for o in lb['annotations'].get('objects', []):
                    if o['annotation_kind'] == 'ImageBoundingBox' and o['name'] not in names:
                        names.append(o['name'])
    return sorted(names) or ['none']

def convert(path, cats):
    inp = LabelboxObjectDetectionInput(input_file=pathlib.Path(path), category_names=','.join(cats), filename_key=FilenameKeyOption(os.environ.get('FILENAME_KEY', 'global_key')))
    labels = list(inp.get_labels())  # every line through the reader
    out = pathlib.Path(tempfile.mkdtemp())
    COCOObjectDetectionOutput(output_file=out / 'coco.json').save(inp)
    YOLOv8ObjectDetectionOutput(output_file=out / 'data.yaml', output_split='train').save(inp)
    coco = json.load(open(out / 'coco.json'))
    imgs = {i['id']: i for i in coco['images']}
    cat = {c['id']: c['name'] for c in coco['categories']}
    coco_n = (sorted((i['file_name'], i['width'], i['height']) for i in coco['images']),
              sorted((imgs[a['image_id']]['file_name'], cat[a['category_id']], tuple(round(v, 6) for v in a['bbox'])) for a in coco['annotations']))
    yolo = {p.name: sorted(p.read_text().splitlines()) for p in (out / 'labels').rglob('*.txt')}
    return len(labels), coco_n, yolo

args = sys.argv[1:]
if args[0] == '--same':
    orig, ours = args[1], args[2]
    cats = categories(orig)
    n1, c1, y1 = convert(orig, cats)
    n2, c2, y2 = convert(ours, cats)
    print(f'{orig}: {n1} rows; {ours}: {n2} rows; COCO images equal: {c1[0] == c2[0]}; COCO boxes equal: {c1[1] == c2[1]} ({len(c1[1])} boxes); YOLO files equal: {y1 == y2} ({len(y1)} files)')
    if c1 != c2 or y1 != y2:
        print('  differences (orig - ours):', set(c1[0]) ^ set(c2[0]), set(c1[1]) ^ set(c2[1]), [k for k in set(y1) | set(y2) if y1.get(k) != y2.get(k)][:5])
        sys.exit(1)
else:
    for f in args:
        try:
            n, c, y = convert(f, categories(f))
            print(f'{f}: OK, {n} rows, {len(c[1])} boxes, {len(y)} YOLO label files')
        except Exception as e:
            print(f'{f}: FAILED {type(e).__name__}: {str(e)[:300]}')
