"""The Qt user interface: main window, one module per tab, dialogs, table models."""
