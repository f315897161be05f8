class ImageFilter: pass
