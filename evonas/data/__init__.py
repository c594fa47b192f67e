"""The inputs proxies are computed on: small, normalised image batches."""

from evonas.data.images import DATASETS, ImageSet, load_images

__all__ = ["DATASETS", "ImageSet", "load_images"]
