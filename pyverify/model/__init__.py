"""The model pyverify proves things about: its configuration (config), the one-layer
attention-only transformer with TransformerLens names (transformer), its files (checkpoint), its
training with the paper's recipe (train), and TransformerLens models read in a closed world
(transformer_lens)."""
