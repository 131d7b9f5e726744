"""Sweeps: grids and samples over policies and dispositions, run in chunks that survive a kill.

- ``spec``        the sweep's specification, grid and range strings, the points of the design
- ``execute``     chunks, their seeds, and running them in-process, on local workers or on Dask
- ``store``       chunk files, the manifest, the tidy results table and the summary
- ``sensitivity`` Sobol and Morris indices through SALib
- ``plots``       PNG charts of indices and of one- and two-parameter grids
"""
