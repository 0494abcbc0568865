"""The native shape for closed forms and the training copy derived from it."""

import numpy as np
from lbr.data.registry import acquire


def test_native_shape_for_closed_forms_and_a_derived_training_copy(tmp_path):
    """closed_form_shape: native stores the decoded native arrays; the training copy is
    resized from them, byte-identical to decoding at `shape` directly."""
    from lbr.data.format import read_dataset
    from lbr.data.registry import derive_training_view
    from lbr.data.views import has_training_view, stored_shape, training_view

    plain = {"source": "digits", "test_fraction": 0.5, "seed": 0, "shape": [12, 12, 3]}
    both = {**plain, "closed_form_shape": "native"}
    assert stored_shape(plain) == [12, 12, 3] and stored_shape(both) is None
    assert not has_training_view(plain) and has_training_view(both)
    assert training_view("digits", both) == "digits.training"
    acquire("digits", both, tmp_path / "digits", tmp_path)
    acquire("digits", plain, tmp_path / "direct", tmp_path)
    meta = derive_training_view("digits", both, tmp_path / "digits", tmp_path / "digits.training")
    native = read_dataset(tmp_path / "digits")
    training = read_dataset(tmp_path / "digits.training")
    direct = read_dataset(tmp_path / "direct")
    assert native.train_images.shape[1:] == (8, 8, 1) and meta["image_shape"] == [12, 12, 3]
    for split in ("train", "test"):
        for kind in ("images", "labels"):
            name = f"{split}_{kind}"
            np.testing.assert_array_equal(getattr(training, name), getattr(direct, name))
    assert meta["derived_from"]["directory"] == str(tmp_path / "digits")
