# @module Serializes Labels built with the Labelbox SDK's annotation types to annotation-import NDJSON.
# python3 scripts/interop/sdk_serialize.py image|text|video > test/fixtures/labelbox/sdk/<kind>.ndjson
import sys, json
import os
sys.path.insert(0, os.path.dirname(__file__))
import sdk_load  # noqa: F401
from labelbox.data.annotation_types import *
from labelbox.data.annotation_types.classification.classification import Radio
from labelbox.data.serialization import NDJsonConverter
from labelbox.data.annotation_types.annotation import ObjectAnnotation, ClassificationAnnotation

def cm(name, value):
    return {'name': name, 'value': value}

U = lambda n: f'00000000-0000-4000-8000-{n:012d}'
dr = GenericDataRowData(global_key='sdk-image-1')
car = ObjectAnnotation(name='car', extra={'uuid': U(1)}, confidence=0.91, custom_metrics=[cm('iou', 0.8)],
    value=Rectangle(start=Point(x=10, y=20), end=Point(x=110, y=80)),
    classifications=[ClassificationAnnotation(name='color', value=Radio(answer=ClassificationAnswer(name='red', confidence=0.7,
        classifications=[ClassificationAnnotation(name='shade', value=Radio(answer=ClassificationAnswer(name='dark')))])))])
person = ObjectAnnotation(name='person', extra={'uuid': U(2)}, value=Rectangle(start=Point(x=200, y=30), end=Point(x=240, y=130)))
image_label = Label(data=dr, annotations=[
    car, person,
    ObjectAnnotation(name='road', extra={'uuid': U(3)}, confidence=0.5,
        value=Polygon(points=[Point(x=0, y=300), Point(x=400, y=300), Point(x=400, y=200), Point(x=0, y=200)])),
    ObjectAnnotation(name='lane', extra={'uuid': U(4)}, value=Line(points=[Point(x=5, y=5), Point(x=50, y=60), Point(x=90, y=70)])),
    ObjectAnnotation(name='light', extra={'uuid': U(5)}, value=Point(x=33, y=44)),
    ObjectAnnotation(name='sky', extra={'uuid': U(6)},
        value=Mask(mask=MaskData(url='https://storage.example.com/masks/sky.png'), color=(0, 128, 255))),
    ClassificationAnnotation(name='weather', extra={'uuid': U(7)}, value=Radio(answer=ClassificationAnswer(name='sunny', confidence=0.8))),
    ClassificationAnnotation(name='tags', extra={'uuid': U(8)}, value=Checklist(answer=[ClassificationAnswer(name='urban'), ClassificationAnswer(name='busy',
        classifications=[ClassificationAnnotation(name='how busy', value=Text(answer='very'))])])),
    ClassificationAnnotation(name='notes', extra={'uuid': U(9)}, value=Text(answer='a car and a person')),
    RelationshipAnnotation(name='drives', extra={'uuid': U(10)},
        value=Relationship(source=person, target=car, type=Relationship.Type.UNIDIRECTIONAL)),
])
text_label = Label(data=GenericDataRowData(global_key='sdk-text-1'), annotations=[
    ObjectAnnotation(name='company', extra={'uuid': U(11)}, value=TextEntity(start=0, end=7), confidence=0.66),
    ObjectAnnotation(name='place', extra={'uuid': U(12)}, value=TextEntity(start=19, end=25)),
    ClassificationAnnotation(name='sentiment', extra={'uuid': U(13)}, value=Radio(answer=ClassificationAnswer(name='neutral'))),
])
vdr = GenericDataRowData(global_key='sdk-video-1')
vid = []
for f, (x, kf) in {1: (10, True), 2: (12, False), 3: (14, True), 8: (40, True), 9: (42, True)}.items():
    vid.append(VideoObjectAnnotation(name='car', extra={'uuid': U(21)}, frame=f, keyframe=kf, segment_index=0 if f < 8 else 1,
        value=Rectangle(start=Point(x=x, y=10), end=Point(x=x + 30, y=40))))
for f in (1, 2):
    vid.append(VideoObjectAnnotation(name='light', extra={'uuid': U(22)}, frame=f, keyframe=True, segment_index=0, value=Point(x=5 + f, y=6)))
for f in (3, 4):
    vid.append(VideoObjectAnnotation(name='lane', extra={'uuid': U(23)}, frame=f, keyframe=True, segment_index=0,
        value=Line(points=[Point(x=1, y=2), Point(x=30, y=40)])))
for f in (2, 3, 4):
    vid.append(VideoClassificationAnnotation(name='weather', extra={'uuid': U(24)}, frame=f,
        value=Radio(answer=ClassificationAnswer(name='sunny'))))
vid.append(ClassificationAnnotation(name='notes', extra={'uuid': U(25)}, value=Text(answer='a short clip')))
video_label = Label(data=vdr, annotations=vid)
which = sys.argv[1] if len(sys.argv) > 1 else 'image'
labels = {'image': [image_label], 'text': [text_label], 'video': [video_label]}[which]
for line in NDJsonConverter.serialize(labels):
    print(json.dumps(line))
