"""Training data: a fixed split, and augmentations that do what they say and follow their generator."""

import torch

from evonas.train.data import cutout, random_crop, random_flip, split_train_valid


def test_split_is_fixed_disjoint_and_complete():
    train, valid = split_train_valid(1000, 0.1)
    assert len(valid) == 100 and len(train) == 900
    assert sorted(torch.cat([train, valid]).tolist()) == list(range(1000))
    again = split_train_valid(1000, 0.1)
    assert torch.equal(train, again[0]) and torch.equal(valid, again[1])
    assert len(split_train_valid(10, 0.0)[1]) == 0


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_random_crop_shifts_each_image_within_its_black_padding():
    x = torch.arange(2 * 1 * 6 * 6, dtype=torch.float32).reshape(2, 1, 6, 6) + 1
    out = random_crop(x, 2, _gen())
    assert out.shape == x.shape
    for image, original in zip(out, x):
        kept = image[image > 0]
        assert set(kept.tolist()) <= set(original.flatten().tolist())  # only its own pixels, and black padding
    crops = {tuple(random_crop(x, 2, _gen(s))[0].flatten().tolist()) for s in range(20)}
    assert len(crops) > 5 and torch.equal(random_crop(x, 2, _gen(3)), random_crop(x, 2, _gen(3)))
    assert torch.equal(random_crop(x, 0, _gen()), x)


def test_random_flip_mirrors_about_half_of_the_images():
    x = torch.randn(400, 3, 4, 4)
    out = random_flip(x, _gen())
    flipped = torch.tensor([torch.equal(o, i.flip(-1)) for o, i in zip(out, x)])
    kept = torch.tensor([torch.equal(o, i) for o, i in zip(out, x)])
    assert bool((flipped ^ kept).all()) and 150 < int(flipped.sum()) < 250


def test_cutout_zeroes_one_square_per_image():
    x = torch.ones(50, 3, 32, 32)
    out = cutout(x, 16, _gen())
    zeros = (out[:, 0] == 0).flatten(1).sum(1)
    assert bool((out[:, 0] == out[:, 2]).all())  # every channel alike
    assert int(zeros.max()) == 256 and int(zeros.min()) >= 64  # a whole square, or one clipped at a corner


def test_random_resized_crops_are_seeded_and_sized():
    from evonas.train.data import random_resized_crop

    image = torch.randint(0, 256, (3, 60, 90), dtype=torch.uint8)
    crops = [random_resized_crop(image, 24, (0.08, 1.0), torch.Generator().manual_seed(s)) for s in (0, 0, 1)]
    assert all(c.shape == (3, 24, 24) and c.dtype == torch.uint8 for c in crops)
    assert torch.equal(crops[0], crops[1]) and not torch.equal(crops[0], crops[2])
    whole = random_resized_crop(image[:, :24, :24], 24, (1.0, 1.0), torch.Generator().manual_seed(0), ratio=(1, 1))
    assert torch.equal(whole, image[:, :24, :24])  # the whole square image, not resized


def test_validation_resize_256_then_centre_crop_224():
    from evonas.train.data import resize_centre

    image = torch.zeros(3, 300, 400, dtype=torch.uint8)
    image[:, 150, 200] = 255  # the centre pixel stays near the centre
    out = resize_centre(image, 224, 256)
    assert out.shape == (3, 224, 224) and out[0].float().argmax() // 224 in range(108, 116)


def test_colour_jitter_hue_turns_colours_and_nothing_else():
    from evonas.train.data import _shift_hue, colour_jitter

    red = torch.zeros(1, 3, 2, 2)
    red[:, 0] = 1.0
    green = _shift_hue(red, torch.full((1, 1, 1), 1 / 3))  # a third of a turn: red -> green
    assert torch.allclose(green[0, :, 0, 0], torch.tensor([0.0, 1.0, 0.0]), atol=1e-6)
    x = torch.rand(5, 3, 8, 8, generator=torch.Generator().manual_seed(0))
    assert torch.equal(colour_jitter(x, (0, 0, 0, 0), torch.Generator().manual_seed(0)), x)
    out = colour_jitter(x, (0.4, 0.4, 0.4, 0.2), torch.Generator().manual_seed(0))
    assert out.shape == x.shape and 0 <= out.min() and out.max() <= 1 and not torch.allclose(out, x)


def test_colour_jitter_draws_order_and_factors_per_image(shared_data):
    """Regression: the order of brightness, contrast, saturation and hue was drawn once per batch. Each image now gets
    its own (as torchvision's ColorJitter applied image by image): the batch result equals the adjustments applied
    one image at a time in that image's drawn order, and that order changes the result."""
    import numpy as np

    from evonas.train.data import ADJUSTMENTS, colour_jitter, jitter_draws

    with np.load(shared_data / "cifar10_subset.npz") as npz:
        x = torch.from_numpy(npz["train_images"][:16]).float() / 255.0  # real images: order matters through clamping
    jitter = (0.4, 0.4, 0.4, 0.2)
    out = colour_jitter(x, jitter, _gen(3))
    assert torch.equal(out, colour_jitter(x, jitter, _gen(3))) and 0 <= out.min() and out.max() <= 1
    factors, order = jitter_draws(len(x), jitter, _gen(3))
    assert len({tuple(o) for o in order.tolist()}) > 1  # two images of one batch in different orders

    def one_by_one(i: int, ops: list[int]) -> torch.Tensor:
        y = x[i: i + 1]
        for op in ops:
            y = ADJUSTMENTS[op](y, factors[op, i: i + 1])
        return y[0]

    for i in range(len(x)):
        assert torch.allclose(out[i], one_by_one(i, order[i].tolist()), atol=1e-6), i
    first = order[0].tolist()
    other = next(i for i in range(len(x)) if order[i].tolist() != first)
    assert not torch.allclose(out[other], one_by_one(other, first), atol=1e-4)  # the batch's first order is not its
