"""One function per figure: tables in, figure out (PNG and PDF, written atomically).

One module per stage, as workflow/rules/ has them: closed_forms (Figs. 2, 7, 8, 9, the
screen, Theorem 1's interpolation), subspace (Figs. 1 top, 4), autoencoders (Figs. 1
bottom, 3, 5, 6), report (the R1 prediction); style holds what they share (saving, how
intervals are drawn).
"""

import matplotlib

# Figures are only written to files: no display, whatever the machine (a cluster node).
matplotlib.use("Agg")
