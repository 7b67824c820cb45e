"""The Qt desk: every widget, model and dialog. The only package that imports PySide6."""
