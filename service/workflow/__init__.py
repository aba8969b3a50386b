"""The document lifecycle: create, render, seal, sign, cancel. Operations own transactions and audit."""
