class ImageDraw: pass
