"""The desk walked as a screen reader meets it (AT-SPI, under Xvfb)."""
