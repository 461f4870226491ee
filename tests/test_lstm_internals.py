"""The LSTM's variable-length reading and the cell written from scratch."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from seqlib.models import LSTM, LSTMCellFromScratch, ScratchLSTM, set_forget_bias
from seqlib.training import seeded_model


@pytest.mark.parametrize("layers", [1, 2])
def test_padding_never_changes_a_prediction(layers):
    model = seeded_model(lambda: LSTM(3, 8, layers=layers), seed=0)
    torch.manual_seed(1)
    inputs = torch.randn(6, 9, 3)  # (B, T, F)
    lengths = torch.tensor([9, 1, 4, 7, 2, 9])
    alone = torch.cat(
        [model(inputs[i : i + 1, : lengths[i]]) for i in range(6)]
    )  # each sequence on its own, unpadded
    garbage = torch.randn(6, 5, 3)  # padding need not even be zeros
    padded = model(torch.cat([inputs, garbage], dim=1), lengths)
    assert torch.allclose(alone, padded, atol=1e-6)


def test_prediction_is_taken_at_the_last_real_step_not_the_last_padded_one():
    model = seeded_model(lambda: LSTM(2, 4), seed=3)
    inputs = torch.randn(2, 6, 2)
    short = model(inputs, torch.tensor([3, 3]))
    full = model(inputs)
    assert not torch.allclose(short, full)


def test_scratch_cell_matches_torch_lstm_to_1e6():
    torch.manual_seed(0)
    reference = nn.LSTM(5, 7, batch_first=True)
    cell = LSTMCellFromScratch(5, 7).copy_from(reference)
    inputs = torch.randn(4, 12, 5)
    expected, (h_last, c_last) = reference(inputs)
    h = c = torch.zeros(4, 7)
    for t in range(12):
        (h, c), gates = cell(inputs[:, t], (h, c))
        assert torch.allclose(h, expected[:, t], atol=1e-6)
    assert torch.allclose(c, c_last[0], atol=1e-6)
    assert set(gates) == {"input", "forget", "candidate", "output"}


def test_scratch_classifier_matches_lstm_classifier_with_variable_lengths():
    model = seeded_model(lambda: LSTM(6, 16, forget_bias=1.0), seed=2)
    scratch = ScratchLSTM.from_lstm(model)
    inputs = torch.randn(5, 11, 6)
    lengths = torch.tensor([11, 3, 7, 1, 10])
    assert torch.allclose(model(inputs, lengths), scratch(inputs, lengths), atol=1e-6)
    logits, record = scratch.trace(inputs, lengths)
    assert record["forget"].shape == (5, 11, 16)  # (B, T, H)
    assert ((record["forget"] > 0) & (record["forget"] < 1)).all()


def test_scratch_copies_one_layer_only():
    with pytest.raises(ValueError, match="one-layer"):
        ScratchLSTM.from_lstm(LSTM(2, 4, layers=2))


def test_forget_bias_sums_to_the_value_over_torchs_two_bias_vectors():
    lstm = nn.LSTM(3, 4, num_layers=2)
    set_forget_bias(lstm, 1.0)
    for layer in range(2):
        total = getattr(lstm, f"bias_ih_l{layer}") + getattr(lstm, f"bias_hh_l{layer}")
        assert torch.equal(total[4:8], torch.ones(4))  # gate order i, f, g, o
