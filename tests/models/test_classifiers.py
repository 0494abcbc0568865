"""The classifier registry (lbr.models.classifiers): an unknown name is refused with the
config key and the known names; ResNet9 through the registry is the authors' model as
ResNet9 builds it, parameter for parameter under one seed."""

import pytest
import torch
from lbr.errors import ConfigError
from lbr.models.classifiers import CLASSIFIERS, build_classifier
from lbr.models.resnet9 import ResNet9


def test_an_unknown_classifier_is_refused_with_the_known_names():
    message = (
        r"^subspace\.model\.architecture: unknown classifier 'vgg11'; choose one of \['resnet9'\]$"
    )
    with pytest.raises(ConfigError, match=message):
        build_classifier("vgg11", (3, 32, 32), 10, (64, 128, 256, 512, 1028), 1.0)


def test_resnet9_from_the_registry_is_resnet9_with_the_same_weights():
    widths, multiplier = (8, 16, 24, 32, 40), 0.5
    torch.manual_seed(3)
    built = build_classifier("resnet9", (3, 16, 16), 7, list(widths), multiplier)
    torch.manual_seed(3)
    direct = ResNet9(3, 7, widths, multiplier)
    assert type(built) is ResNet9
    ours, theirs = built.state_dict(), direct.state_dict()
    assert ours.keys() == theirs.keys()
    for name in ours:
        assert torch.equal(ours[name], theirs[name]), name
    assert built(torch.zeros(2, 3, 16, 16)).shape == (2, 7)


def test_every_registered_classifier_maps_images_to_class_logits():
    for name in CLASSIFIERS:
        model = build_classifier(name, (1, 8, 8), 4, (8, 8, 8, 8, 8), 1.0)
        assert model(torch.zeros(3, 1, 8, 8)).shape == (3, 4), name
