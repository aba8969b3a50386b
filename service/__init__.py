"""skp-sign: scores, renders and signs SKP documents."""
