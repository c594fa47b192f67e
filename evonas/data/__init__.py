"""Images: the small normalised batches proxies are computed on, and whole labelled splits to train on."""

from evonas.data.images import (DATASETS, ImageSet, LabelledImages, batch_files, check_image_size, describe,
                                load_images, load_labelled, search_batch)

__all__ = ["DATASETS", "ImageSet", "LabelledImages", "batch_files", "check_image_size", "describe", "load_images",
           "load_labelled", "search_batch"]
