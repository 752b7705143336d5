"""Paper: pick lists and packing slips drawn with Qt (``QPainter`` on a ``QPdfWriter`` or a ``QPrinter``).

Works headless (``QT_QPA_PLATFORM=offscreen``): the CLI's ``print`` command imports it lazily, the GUI uses it
for preview, printing and "Save as PDF". It reads rows from ``fbm_desk.db.paper`` and draws them; it writes
nothing to the database.
"""
