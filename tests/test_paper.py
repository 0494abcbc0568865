"""The numbers quoted from the paper, as the figures and the report print them."""

from lbr import paper


def test_the_headline_in_the_papers_words():
    # the abstract: 90% of the variance gives 45% test accuracy, the bottom 20% gives 55%
    assert paper.headline_text() == (
        "TinyImageNet: top 90% of variance → 45%, bottom 20% → 55% test accuracy"
    )


def test_each_share_is_printed_as_a_whole_percent(monkeypatch):
    quoted = {
        "dataset": "X",
        "top_fraction": 0.994,
        "top_accuracy": 0.99,
        "bottom_fraction": 0.994,
        "bottom_accuracy": 0.996,
    }
    monkeypatch.setattr(paper, "HEADLINE", quoted)
    assert paper.headline_text() == "X: top 99% of variance → 99%, bottom 99% → 100% test accuracy"
