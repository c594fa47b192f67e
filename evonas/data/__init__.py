"""Images: the small normalised batches proxies are computed on, and whole labelled splits to train on."""

from evonas.data.images import (BATCH_FILE, DATASETS, ImageSet, LabelledImages, batch_files, batch_record, check_image_size, class_folder, describe, FolderImages, open_labelled,
                                load_images, load_labelled, search_batch)

__all__ = ["BATCH_FILE", "DATASETS", "ImageSet", "LabelledImages", "batch_files", "batch_record", "check_image_size", "class_folder", "describe", "FolderImages", "open_labelled", "load_images",
           "load_labelled", "search_batch"]
