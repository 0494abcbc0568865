"""What the figures share (lbr/plots/style.py): saving. How intervals are drawn is read
back from the figures that draw them (test_subspace.py, test_report.py)."""

import matplotlib.pyplot as plt
from lbr.plots import style


def test_save_figure_writes_png_and_pdf_and_closes(tmp_path):
    figure, axis = plt.subplots(figsize=(1, 1))  # small and without text: quick to write
    axis.plot([0, 1], [1, 0])
    axis.set_axis_off()
    number = figure.number
    style.save_figure(figure, tmp_path / "f.png", tmp_path / "f.pdf")
    assert (tmp_path / "f.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "f.pdf").read_bytes()[:5] == b"%PDF-"
    assert not plt.fignum_exists(number)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.pdf", "f.png"]
    figure = plt.figure(figsize=(1, 1))
    style.save_figure(figure, tmp_path / "g.png")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.pdf", "f.png", "g.png"]
