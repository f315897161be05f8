# @module Every SDK-serialized line (uuid) is found in our export of it, with its geometry, answer, scores.
import sys, json
sdk = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
exp = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
found = {}
def walk(a):
    for o in a.get('objects', []) + a.get('classifications', []) + a.get('relationships', []): found.setdefault(o['feature_id'], []).append(o)
    for n, f in a.get('frames', {}).items():
        for fid, o in f['objects'].items(): found.setdefault(fid, []).append(o)
        for c in f['classifications']: found.setdefault(c['feature_id'], []).append(c)
for line in exp:
    for p in line['projects'].values():
        for lb in p['labels']: walk(lb['annotations'])
GEOM = {'bbox': 'bounding_box', 'polygon': 'polygon', 'line': 'line', 'point': 'point', 'location': 'location'}
bad = 0
for l in sdk:
    got = found.get(l['uuid'])
    problems = []
    if not got: problems.append('missing')
    else:
        o = got[0]
        for k, ours in GEOM.items():
            if k in l and o.get(ours) != l[k]: problems.append(f'{k} differs')
        if 'mask' in l and (o['mask']['url'] != l['mask']['instanceURI'] or o['mask'].get('colorRGB') != l['mask'].get('colorRGB')): problems.append('mask differs')
        if 'confidence' in l and o.get('confidence') != l['confidence']: problems.append('confidence lost')
        if 'customMetrics' in l and o.get('custom_metrics') != l['customMetrics']: problems.append('customMetrics lost')
        if 'relationship' in l and (o.get('source'), o.get('target')) != (l['relationship']['source'], l['relationship']['target']): problems.append('relationship differs')
        if 'segments' in l:
            kfs = [k['frame'] for s in l['segments'] for k in s['keyframes']]
            if len(got) != len(kfs): problems.append(f'{len(got)} of {len(kfs)} key frames')
        if 'frames' in l:
            n = sum(r['end'] - r['start'] + 1 for r in l['frames'])
            if len(got) != n: problems.append(f'{len(got)} of {n} frame answers')
    bad += bool(problems)
    print(f"  {l.get('name')} ({l['uuid'][:8]}…): {'OK' if not problems else ', '.join(problems)}")
print(f'{sys.argv[1]}: {len(sdk) - bad}/{len(sdk)} lines back with nothing missing')
sys.exit(1 if bad else 0)
