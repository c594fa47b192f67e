"""Images: the small normalised batches proxies are computed on, and whole labelled splits to train on."""

from evonas.data.images import DATASETS, ImageSet, LabelledImages, load_images, load_labelled

__all__ = ["DATASETS", "ImageSet", "LabelledImages", "load_images", "load_labelled"]
